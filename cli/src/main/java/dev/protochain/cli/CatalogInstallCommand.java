package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.Installation;
import dev.protochain.runtime.store.LayerInstaller;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * {@code protochain catalog install (--layer NAME | --plugin JAR) (--over ID,... | --all) [--set
 * KEY=VALUE]...}: installs a layer through {@link LayerInstaller} and prints what it added.
 */
final class CatalogInstallCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "install",
          "Install a layer found on the class path: its own entry, and one chain entry over each target,"
              + " placed just before the target so that applications asking for what it serves get the chain.",
          "Before anything is written, each new chain is started up and cleaned up once, so that a layer that"
              + " refuses its settings is refused here rather than at first use.");

  private final OptionSpec layerName =
      CommandSpecs.option(
              "--layer",
              "NAME",
              "The layer's provider name, such as trace or coalesce, on the class path or in an installed"
                  + " plugin.")
          .required(true)
          .build();

  private final OptionSpec pluginJar =
      CommandSpecs.pathOption(
              "--plugin",
              "JAR",
              "A plugin jar holding one layer: it is copied into the home's plugin store under its SHA-256,"
                  + " which the catalog records, and its layer installed.")
          .required(true)
          .build();

  private final OptionSpec over =
      CommandSpecs.option(
              "--over", "ID", "The entries to install over, by id or name: bases or chains.")
          .type(List.class)
          .auxiliaryTypes(String.class)
          .splitRegex(",")
          .converters(new Ranges.EntryRef())
          .required(true)
          .build();

  private final OptionSpec all =
      CommandSpecs.flag(
              "--all",
              "Install over every base and chain entry the layer can go over; the others are listed.")
          .required(true)
          .build();

  private final OptionSpec set =
      CommandSpecs.add(
          spec,
          CommandSpecs.option(
                  "--set",
                  "KEY=VALUE",
                  "A setting of the layer's entry; the layer must declare KEY. Repeatable.",
                  "A secret (such as socks5's password or tls's keystore-password) is best given as a reference,"
                      + " which the catalog keeps instead of the secret and the runtime resolves when the layer"
                      + " loads: @file:PATH (the file's content, without a final line break) or @env:NAME (an"
                      + " environment variable). Secrets are masked in every output.")
              .type(Map.class)
              .auxiliaryTypes(String.class, String.class));

  private final CheckTimeout checkTimeout = new CheckTimeout(spec);

  CatalogInstallCommand(Main main) {
    this.main = main;
    // One source and one choice of targets, each exactly once.
    spec.addArgGroup(
        ArgGroupSpec.builder()
            .exclusive(true)
            .multiplicity("1")
            .addArg(layerName)
            .addArg(pluginJar)
            .build());
    spec.addArgGroup(
        ArgGroupSpec.builder().exclusive(true).multiplicity("1").addArg(over).addArg(all).build());
    UsageMessageSpec usage = spec.usageMessage();
    usage.sectionMap().put(SETTINGS_SECTION, this::settingsSection);
    List<String> keys = new ArrayList<>(usage.sectionKeys());
    keys.add(SETTINGS_SECTION);
    usage.sectionKeys(keys);
  }

  @Override
  public Integer call() throws Exception {
    HomeCatalog store = main.store(spec);
    LayerInstaller installer =
        new LayerInstaller(store, main.home().plugins(), checkTimeout.duration());
    List<String> refs = over.getValue();
    LayerInstaller.Targets targets =
        CommandSpecs.given(all)
            ? LayerInstaller.Targets.everywhere()
            : LayerInstaller.Targets.over(c -> CatalogCommand.ids(c, refs));
    Map<String, String> given = set.getValue();
    Map<String, String> settings = given == null ? Map.of() : given;
    Path jar = pluginJar.getValue();
    LayerInstaller.Installed done =
        jar != null
            ? installer.installPlugin(jar, settings, targets)
            : installer.installLayer(layerName.getValue(), settings, targets);
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
                        + jar
                        + " as "
                        + main.home().plugins().jar(plugin)
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
   * Returns the last section of the usage help: the settings of the layer that {@code --layer}
   * names, as in {@code catalog install --layer tls --help}, else where to find them.
   */
  private String settingsSection(CommandLine.Help help) {
    String layer = layerName.getValue();
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
