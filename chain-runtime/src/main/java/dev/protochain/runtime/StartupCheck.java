package dev.protochain.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Session;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts base or chain entries once each, in a runtime of their own, and cleans them up again: what
 * only a start can tell about a catalog, such as a provider refusing the value of a setting ({@code
 * delay=abc}) or a file it cannot read. An install runs it on its new chains before it writes
 * anything, and a catalog verify on every base and chain entry.
 */
public final class StartupCheck {

  private StartupCheck() {}

  private record Failure(CatalogEntry entry, String cause) {}

  /**
   * Returns one {@link CatalogProblem.Kind#DOES_NOT_START} problem for each of {@code entries} that
   * does not start in the runtime {@code runtime} builds, in their order.
   *
   * @throws CatalogInvalidException if the runtime's catalog is invalid
   * @throws IOException if the runtime fails to close
   */
  public static List<CatalogProblem> problems(
      ChainRuntime.Builder runtime, List<CatalogEntry> entries) throws IOException {
    List<CatalogProblem> problems = new ArrayList<>();
    for (Failure f : start(runtime, entries)) {
      problems.add(
          new CatalogProblem(
              CatalogProblem.Kind.DOES_NOT_START,
              f.entry() + " does not start: " + f.cause() + ".",
              List.of(f.entry().id())));
    }
    return problems;
  }

  /**
   * Starts each chain {@code installation} adds in the runtime {@code runtime} builds, a builder
   * over the installation's catalog.
   *
   * @throws IllegalArgumentException naming the first chain that does not start and why
   * @throws IOException if the runtime fails to close
   */
  public static void checkInstall(Installation installation, ChainRuntime.Builder runtime)
      throws IOException {
    List<CatalogEntry> chains = new ArrayList<>();
    installation.chains().forEach(c -> chains.add(c.chain()));
    List<Failure> failed = start(runtime, chains);
    checkArgument(
        failed.isEmpty(),
        "installing layer '%s': the new chain %s does not start, so nothing was installed: %s",
        installation.layer().name(),
        failed.isEmpty() ? "" : Catalog.label(failed.get(0).entry()),
        failed.isEmpty() ? "" : failed.get(0).cause());
  }

  private static List<Failure> start(ChainRuntime.Builder builder, List<CatalogEntry> entries)
      throws IOException {
    List<Failure> failed = new ArrayList<>();
    try (ChainRuntime runtime = builder.shutdownHook(false).build()) {
      for (CatalogEntry e : entries) {
        try (Session session = runtime.startup(e.id())) {
          session.version(); // started: every provider of the chain loaded with its settings
        } catch (IOException | RuntimeException failure) {
          failed.add(new Failure(e, oneLine(failure)));
        }
      }
    }
    return failed;
  }

  /** Returns the failure's message as one line without a final period, as the CLI prints one. */
  private static String oneLine(Exception e) {
    String m = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
    m = m.replace("\r", "").replace("\n\n", ": ").replace("\n", "; ");
    return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
  }
}
