package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.Settings;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.Installation;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.PluginStore;
import dev.protochain.runtime.StartupCheck;
import dev.protochain.runtime.store.CatalogChange;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  @Option(
      names = "--check-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = Main.DurationConverter.class,
      description =
          "How long the new chains of a plugin may take to start and clean up once, in a separate"
              + " JVM and outside the catalog lock, before the plugin is refused as hung"
              + " (default: ${DEFAULT-VALUE}).")
  java.time.Duration checkTimeout;

  @Override
  public Integer call() throws Exception {
    HomeCatalog store = catalog.main.store(spec);
    PluginStore plugins = catalog.main.home().plugins();
    ProviderDescriptor descriptor;
    PluginRecord plugin;
    if (source.plugin != null) {
      plugin = plugins.add(source.plugin);
      descriptor = PluginStore.inspect(plugins.jar(plugin));
    } else {
      descriptor = find(source.layer, catalog.main.providers(store.read().catalog()));
      plugin = null;
    }
    Installed done;
    try {
      done = install(store, plugins, descriptor, plugin);
    } catch (IOException | RuntimeException refused) {
      if (plugin != null) {
        // A refused install leaves nothing behind: the jar goes unless the catalog records it.
        try {
          store.update(
              "discard plugin jar " + plugin.file(),
              current -> {
                plugins.discardUnless(current, plugin);
                return current;
              });
        } catch (IOException | RuntimeException e) {
          refused.addSuppressed(e);
        }
      }
      throw refused;
    }
    Installation installed = done.installation();
    CatalogChange change = done.change();
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
                : " (" + CatalogTable.settings(SecretMask.of(descriptor).entry(layerEntry)) + ")")
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
      settings = CatalogLayersCommand.describe(find(layer, Main.providers()));
    } catch (IllegalArgumentException e) {
      settings =
          e.getMessage() + "; 'protochain catalog layers' lists the installed plugins' too\n";
    }
    return "\nSettings of the layer (--set KEY=VALUE):\n" + settings;
  }

  /**
   * Thrown by an edit when the catalog changed while a plugin was being checked outside the lock.
   */
  private static final class Changed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Changed() {
      super(null, null, false, false);
    }
  }

  /** What an install wrote: the installation and the catalog change that stored it. */
  private record Installed(Installation installation, CatalogChange change) {}

  /**
   * Installs the layer. New chains that run plugin code are tried in a separate JVM with a deadline
   * before the lock is taken, and the catalog written only if it did not change meanwhile (else
   * planned and tried again); chains of class-path layers only are tried in this process under the
   * lock, as they always were.
   */
  private Installed install(
      HomeCatalog store, PluginStore plugins, ProviderDescriptor descriptor, PluginRecord plugin)
      throws IOException {
    String purpose = "install layer '" + descriptor.name() + "'";
    for (int attempt = 1; ; attempt++) {
      Catalog snapshot = store.read().catalog();
      Installation planned = plan(snapshot, plugins, descriptor, plugin);
      if (planned.chains().stream().noneMatch(c -> runsPluginCode(planned.catalog(), c.chain()))) {
        AtomicReference<Installation> done = new AtomicReference<>();
        CatalogChange change =
            store.update(
                purpose,
                stored -> {
                  Installation installation = plan(stored, plugins, descriptor, plugin);
                  StartupCheck.checkInstall(
                      installation,
                      catalog.main.runtime("install-check", installation.catalog(), null));
                  done.set(installation);
                  return installation.catalog();
                });
        return new Installed(done.get(), change);
      }
      try {
        plugins.trial(
            planned.catalog(),
            planned.chains().stream().map(c -> c.chain().id()).toList(),
            checkTimeout);
      } catch (dev.protochain.api.ProtochainException e) {
        throw new IllegalArgumentException(
            "installing layer '"
                + descriptor.name()
                + "': "
                + e.getMessage()
                + "; nothing was installed",
            e);
      }
      try {
        CatalogChange change =
            store.update(
                purpose,
                stored -> {
                  if (!stored.equals(snapshot)) {
                    throw new Changed();
                  }
                  if (plugin != null && !java.nio.file.Files.exists(plugins.jar(plugin))) {
                    throw new IOException(
                        "the stored plugin jar "
                            + plugins.jar(plugin)
                            + " was removed while it was checked; install it again");
                  }
                  return planned.catalog();
                });
        return new Installed(planned, change);
      } catch (Changed e) {
        if (attempt == 3) {
          throw new IllegalStateException(
              "installing layer '"
                  + descriptor.name()
                  + "': the catalog changed each of 3 times the new chains were checked; nothing"
                  + " was installed, try again");
        }
      }
    }
  }

  /** Returns whether the chain {@code e} of {@code catalog} has a layer from a plugin. */
  private static boolean runsPluginCode(Catalog catalog, CatalogEntry e) {
    return e.chain().ids().stream()
        .map(catalog::entry)
        .flatMap(Optional::stream)
        .anyMatch(x -> catalog.plugin(x.providerId()).isPresent());
  }

  /** Returns {@code stored} with the layer installed over the targets. */
  private Installation plan(
      Catalog stored, PluginStore plugins, ProviderDescriptor descriptor, PluginRecord plugin)
      throws IOException {
    Catalog current = plugin == null ? stored : plugins.record(stored, plugin);
    return targets.all
        ? current.installEverywhere(descriptor, withAbsoluteFiles(settings, descriptor))
        : current.install(
            descriptor,
            withAbsoluteFiles(settings, descriptor),
            CatalogCommand.ids(current, targets.over));
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

  /**
   * Returns {@code settings} with each secret's {@code @file:} reference made absolute, so that the
   * catalog means the same file from any working directory.
   */
  private static Map<String, String> withAbsoluteFiles(
      Map<String, String> settings, ProviderDescriptor descriptor) {
    Map<String, String> absolute = new LinkedHashMap<>(settings);
    for (String key : descriptor.secrets()) {
      String v = settings.get(key);
      if (v != null && v.startsWith(Settings.FILE_REFERENCE)) {
        absolute.put(
            key,
            Settings.FILE_REFERENCE
                + java.nio.file.Path.of(v.substring(Settings.FILE_REFERENCE.length()))
                    .toAbsolutePath()
                    .normalize());
      }
    }
    return absolute;
  }
}
