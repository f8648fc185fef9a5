package dev.protochain.runtime;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Session;
import dev.protochain.runtime.internal.PluginTrial;
import dev.protochain.runtime.internal.PluginTrial.Failure;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Starts base or chain entries once each, in a runtime of their own, and cleans them up again: what
 * only a start can tell about a catalog, such as a provider refusing the value of a setting ({@code
 * delay=abc}) or a file it cannot read. An install runs it on its new chains before it writes
 * anything, and a catalog verify on every base and chain entry.
 *
 * <p>An entry whose chain runs plugin code is started in a separate JVM with a deadline (see {@link
 * PluginTrial}), so that a plugin ending or wedging its JVM ends only that one and is named; the
 * others are started in this process.
 */
public final class StartupCheck {

  private final PluginStore plugins;
  private final Duration deadline;

  private StartupCheck(PluginStore plugins, Duration deadline) {
    this.plugins = plugins;
    this.deadline = deadline;
  }

  /**
   * Returns a check loading plugins from {@code plugins}, allowing the entries that run plugin code
   * {@code deadline} to start and clean up.
   */
  public static StartupCheck of(PluginStore plugins, Duration deadline) {
    return new StartupCheck(plugins, deadline);
  }

  /**
   * Returns one {@link CatalogProblem.Kind#DOES_NOT_START} problem for each of {@code entries} of
   * {@code catalog} that does not start, in their order.
   *
   * @throws CatalogInvalidException if the catalog is invalid
   * @throws IOException if the check itself fails
   */
  public List<CatalogProblem> problems(Catalog catalog, List<CatalogEntry> entries)
      throws IOException {
    List<CatalogProblem> problems = new ArrayList<>();
    for (Failure f : failures("verify", catalog, entries)) {
      problems.add(
          new CatalogProblem(
              CatalogProblem.Kind.DOES_NOT_START, f.message() + ".", List.of(f.entry())));
    }
    return problems;
  }

  /**
   * Starts each chain {@code installation} adds, over the installation's catalog.
   *
   * @throws IllegalArgumentException naming the layer, the first chain that does not start and why
   * @throws IOException if the check itself fails
   */
  public void checkInstall(Installation installation) throws IOException {
    List<CatalogEntry> chains = new ArrayList<>();
    installation.chains().forEach(c -> chains.add(c.chain()));
    List<Failure> failed = failures("install-check", installation.catalog(), chains);
    if (!failed.isEmpty()) {
      throw new IllegalArgumentException(
          "installing layer '"
              + installation.layer().name()
              + "': "
              + failed.get(0).message()
              + "; nothing was installed");
    }
  }

  /** Starts each of {@code entries} once, and returns what went wrong in their order. */
  private List<Failure> failures(String name, Catalog catalog, List<CatalogEntry> entries)
      throws IOException {
    List<Integer> pluginCode = new ArrayList<>();
    List<CatalogEntry> here = new ArrayList<>();
    for (CatalogEntry e : entries) {
      if (runsPluginCode(catalog, e)) {
        pluginCode.add(e.id());
      } else {
        here.add(e);
      }
    }
    List<Failure> failed = new ArrayList<>();
    if (!here.isEmpty()) {
      try (ChainRuntime runtime =
          ChainRuntime.builder()
              .name(name)
              .catalog(catalog)
              .source(plugins.source(catalog.plugins()))
              .shutdownHook(false)
              .build()) {
        for (CatalogEntry e : here) {
          try (Session session = runtime.startup(e.id())) {
            session.version(); // started: every provider of the chain loaded with its settings
          } catch (IOException | RuntimeException failure) {
            failed.add(new Failure(e.id(), e + " does not start: " + PluginTrial.oneLine(failure)));
          }
        }
      }
    }
    if (!pluginCode.isEmpty()) {
      failed.addAll(PluginTrial.run(plugins, catalog, pluginCode, deadline));
    }
    List<Integer> order = entries.stream().map(CatalogEntry::id).toList();
    failed.sort(Comparator.comparingInt(f -> order.indexOf(f.entry())));
    return failed;
  }

  /**
   * Returns whether the chain of {@code e} has a provider from a plugin {@code catalog} records.
   */
  private static boolean runsPluginCode(Catalog catalog, CatalogEntry e) {
    return e.chain().ids().stream()
        .map(catalog::entry)
        .flatMap(Optional::stream)
        .anyMatch(x -> catalog.plugin(x.providerId()).isPresent());
  }
}
