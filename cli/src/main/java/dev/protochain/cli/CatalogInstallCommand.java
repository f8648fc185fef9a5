package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.Installation;
import dev.protochain.runtime.store.LayerInstaller;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code protochain catalog install (--layer NAME | --plugin JAR) (--over ID,... | --all) [--set
 * KEY=VALUE]...}: installs a layer through {@link LayerInstaller} and prints what it added.
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
      description = {
        "A setting of the layer's entry; the layer must declare KEY. Repeatable.",
        "A secret (such as socks5's password or tls's keystore-password) is best given as a reference,"
            + " which the catalog keeps instead of the secret and the runtime resolves when the layer"
            + " loads: @file:PATH (the file's content, without a final line break) or @env:NAME (an"
            + " environment variable). Secrets are masked in every output."
      })
  Map<String, String> settings = new LinkedHashMap<>();

  static final class Targets {
    @Option(
        names = "--over",
        split = ",",
        paramLabel = "ID",
        converter = Ranges.EntryRef.class,
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

  @Mixin CheckTimeout checkTimeout;

  @Override
  public Integer call() throws Exception {
    HomeCatalog store = catalog.main.store(spec);
    LayerInstaller installer =
        new LayerInstaller(store, catalog.main.home().plugins(), checkTimeout.duration);
    LayerInstaller.Targets over =
        targets.all
            ? LayerInstaller.Targets.everywhere()
            : LayerInstaller.Targets.over(c -> CatalogCommand.ids(c, targets.over));
    LayerInstaller.Installed done =
        source.plugin != null
            ? installer.installPlugin(source.plugin, settings, over)
            : installer.installLayer(source.layer, settings, over);
    ProviderDescriptor layer = done.layer();
    Installation installed = done.installation();
    CatalogEntry layerEntry = installed.layer();
    List<String> chains = new ArrayList<>();
    for (Installation.Chain c : installed.chains()) {
      chains.add(Catalog.label(c.chain()) + " (before " + Catalog.label(c.target()) + ")");
    }
    PrintWriter out = spec.commandLine().getOut();
    done.plugin()
        .ifPresent(
            plugin ->
                out.println(
                    "stored plugin jar "
                        + source.plugin
                        + " as "
                        + catalog.main.home().plugins().jar(plugin)
                        + " (sha-256 "
                        + plugin.sha256()
                        + ")"));
    out.println(
        "installed layer '"
            + layer.name()
            + "'"
            + (done.plugin().isEmpty() ? "" : " " + layer.version() + " from the plugin")
            + (layerEntry.settings().isEmpty()
                ? ""
                : " (" + CatalogTable.settings(SecretMask.of(layer).entry(layerEntry)) + ")")
            + " as entry "
            + layerEntry.id()
            + " and "
            + (chains.size() == 1 ? "chain " : "chains ")
            + String.join(", ", chains));
    installed
        .passedOver()
        .forEach(p -> out.println("passed over " + Catalog.label(p.entry()) + ": " + p.reason()));
    out.println(CatalogCommand.wrote(store, done.change()));
    out.flush();
    return Main.OK;
  }

  /** The key of the usage help's last section: the settings of the layer {@code --layer} names. */
  private static final String SETTINGS_SECTION = "layerSettings";

  /**
   * Ends {@code install}'s usage help with the settings of the layer that {@code --layer} names, as
   * in {@code catalog install --layer tls --help}, else with where to find them.
   */
  static void describeSettingsInHelp(CommandLine install) {
    CommandLine.Model.UsageMessageSpec usage = install.getCommandSpec().usageMessage();
    usage.sectionMap().put(SETTINGS_SECTION, CatalogInstallCommand::settingsSection);
    List<String> keys = new ArrayList<>(usage.sectionKeys());
    keys.add(SETTINGS_SECTION);
    usage.sectionKeys(keys);
  }

  private static String settingsSection(CommandLine.Help help) {
    String layer = help.commandSpec().findOption("--layer").getValue();
    if (layer == null) {
      return "\nEach layer's settings: protochain catalog install --layer NAME --help, or protochain"
          + " catalog layers.\n";
    }
    String settings;
    try {
      settings = CatalogLayersCommand.describe(LayerInstaller.layerNamed(layer, Main.providers()));
    } catch (IllegalArgumentException e) {
      settings =
          e.getMessage() + "; 'protochain catalog layers' lists the installed plugins' too\n";
    }
    return "\nSettings of the layer (--set KEY=VALUE):\n" + settings;
  }
}
