package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.Installation;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.PluginStore;
import dev.protochain.runtime.StartupCheck;
import dev.protochain.runtime.store.CatalogChange;
import dev.protochain.runtime.store.CatalogStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code protochain catalog install (--layer NAME | --plugin JAR) (--over ID,... | --all) [--set
 * KEY=VALUE]...}: adds a layer's own entry and one chain entry over each target, each placed just
 * before its target so that applications select it first [Winsock's {@code instlsp}]. A plugin jar
 * is first copied into the home's plugin store under its SHA-256, which the catalog records with
 * the entries, in the same write.
 */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    description = {
      "Install a layer found on the class path: its own entry, and one chain entry over each target,"
          + " placed just before the target so that applications asking for what it serves get the chain.",
      "Before anything is written, each new chain is started up and cleaned up once, so that a layer that"
          + " refuses its settings is refused here rather than at first use."
    })
final class CatalogInstallCommand implements Callable<Integer> {

  @ParentCommand CatalogCommand catalog;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(
        names = "--layer",
        required = true,
        paramLabel = "NAME",
        description =
            "The layer's provider name, such as trace or coalesce, on the class path or in an installed"
                + " plugin.")
    String layer;

    @Option(
        names = "--plugin",
        required = true,
        paramLabel = "JAR",
        description =
            "A plugin jar holding one layer: it is copied into the home's plugin store under its SHA-256,"
                + " which the catalog records, and its layer installed.")
    java.nio.file.Path plugin;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Targets targets;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "A setting of the layer's entry; the layer must declare KEY. Repeatable.")
  Map<String, String> settings = new LinkedHashMap<>();

  static final class Targets {
    @Option(
        names = "--over",
        split = ",",
        paramLabel = "ID",
        required = true,
        description = "The entries to install over, by id or name: bases or chains.")
    List<String> over;

    @Option(
        names = "--all",
        required = true,
        description =
            "Install over every base and chain entry the layer can go over; the others are listed.")
    boolean all;
  }

  @Override
  public Integer call() throws Exception {
    CatalogStore store = catalog.main.store(spec);
    ProviderDescriptor descriptor;
    PluginRecord plugin;
    if (source.plugin != null) {
      descriptor = PluginStore.inspect(source.plugin);
      plugin = catalog.main.home().plugins().add(source.plugin);
    } else {
      descriptor = find(source.layer, catalog.main.providers(store.read().catalog()));
      plugin = null;
    }
    AtomicReference<Installation> done = new AtomicReference<>();
    CatalogChange change =
        store.update(
            "install layer '" + descriptor.name() + "'",
            stored -> {
              Catalog current = plugin == null ? stored : stored.withPlugin(plugin);
              Installation installation =
                  targets.all
                      ? current.installEverywhere(descriptor, settings)
                      : current.install(
                          descriptor, settings, CatalogCommand.ids(current, targets.over));
              StartupCheck.checkInstall(
                  installation,
                  catalog.main.runtime("install-check", installation.catalog(), null));
              done.set(installation);
              return installation.catalog();
            });
    Installation installed = done.get();
    CatalogEntry layerEntry = installed.layer();
    List<String> chains = new ArrayList<>();
    for (Installation.Chain c : installed.chains()) {
      chains.add(Catalog.label(c.chain()) + " (before " + Catalog.label(c.target()) + ")");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (plugin != null) {
      out.println(
          "stored plugin jar "
              + source.plugin
              + " as "
              + catalog.main.home().plugins().jar(plugin)
              + " (sha-256 "
              + plugin.sha256()
              + ")");
    }
    out.println(
        "installed layer '"
            + descriptor.name()
            + "'"
            + (plugin == null ? "" : " " + descriptor.version() + " from the plugin")
            + (layerEntry.settings().isEmpty()
                ? ""
                : " (" + CatalogTable.settings(layerEntry) + ")")
            + " as entry "
            + layerEntry.id()
            + " and "
            + (chains.size() == 1 ? "chain " : "chains ")
            + String.join(", ", chains));
    installed
        .passedOver()
        .forEach(p -> out.println("passed over " + Catalog.label(p.entry()) + ": " + p.reason()));
    out.println(CatalogCommand.wrote(store, change));
    out.flush();
    return Main.OK;
  }

  /**
   * Returns the layer named {@code name} among {@code providers} (the class path, and the plugins
   * the catalog records).
   *
   * @throws IllegalArgumentException if there is none, or several
   */
  static ProviderDescriptor find(String name, dev.protochain.runtime.ProviderSource providers) {
    List<ProviderDescriptor> all = providers.descriptors();
    List<ProviderDescriptor> named = all.stream().filter(d -> d.name().equals(name)).toList();
    if (named.isEmpty()) {
      String layers =
          all.stream()
              .filter(d -> d.kind() == EntryKind.LAYER)
              .map(ProviderDescriptor::name)
              .sorted()
              .collect(Collectors.joining(", "));
      throw new IllegalArgumentException(
          "there is no layer named '"
              + name
              + "' on the class path or among the"
              + " installed plugins (layers there: "
              + (layers.isEmpty() ? "none" : layers)
              + ")");
    }
    if (named.size() > 1) {
      throw new IllegalArgumentException(
          "the layer name '"
              + name
              + "' is ambiguous: "
              + named.stream()
                  .map(d -> d.id() + " (" + d.className() + ")")
                  .collect(Collectors.joining(", ")));
    }
    return named.get(0);
  }
}
