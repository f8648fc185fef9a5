package dev.protochain.runtime.store;

import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.Installation;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.PluginStore;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.StartupCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Installs a layer into a home's catalog [Winsock's {@code instlsp}]: its own entry and a chain
 * over each target, each chain placed just before its target. Before anything is written, each new
 * chain is started up and cleaned up once ({@link StartupCheck}, outside the catalog lock, chains
 * running plugin code in a separate JVM with a deadline), so that a layer refusing its settings is
 * refused here rather than at first use; the catalog is then written only if it did not change
 * meanwhile, else the install is planned and checked again. A plugin jar is first copied into the
 * home's plugin store, and removed again if the install is refused and no catalog entry records it.
 */
public final class LayerInstaller {

  /**
   * How many times the install is planned and checked before a catalog that keeps changing wins.
   */
  private static final int ATTEMPTS = 3;

  /** Reads and changes the catalog; a {@link CatalogStore} is one. */
  public interface Store {
    /** See {@link CatalogStore#read}. */
    StoredCatalog read() throws IOException;

    /** See {@link CatalogStore#update}. */
    CatalogChange update(String purpose, CatalogStore.Edit edit) throws IOException;
  }

  /**
   * The entries to install over: every base and chain the layer may go over (the others are passed
   * over, with the reason), or the ids {@code pick} finds in the catalog of each attempt.
   */
  public record Targets(Optional<Function<Catalog, List<Integer>>> pick) {

    /** Every base and chain entry the layer may go over. */
    public static Targets everywhere() {
      return new Targets(Optional.empty());
    }

    /** The entries {@code pick} returns for the catalog being installed into. */
    public static Targets over(Function<Catalog, List<Integer>> pick) {
      return new Targets(Optional.of(pick));
    }
  }

  /**
   * What an install did.
   *
   * @param layer the layer's provider
   * @param plugin the plugin jar stored for it, if it came from one
   * @param installation the entries it added, and the targets it passed over and why
   * @param change the catalog write that stored them
   */
  public record Installed(
      ProviderDescriptor layer,
      Optional<PluginRecord> plugin,
      Installation installation,
      CatalogChange change) {}

  private final Store store;
  private final PluginStore plugins;
  private final StartupCheck check;

  /**
   * Creates an installer writing {@code store}, loading plugins from {@code plugins}, allowing the
   * new chains that run plugin code {@code checkTimeout} to start and clean up once.
   */
  public LayerInstaller(Store store, PluginStore plugins, Duration checkTimeout) {
    this.store = store;
    this.plugins = plugins;
    this.check = StartupCheck.of(plugins, checkTimeout);
  }

  /**
   * Installs the layer named {@code name}, on the class path or in an installed plugin ({@link
   * #layerNamed}), with {@code settings} over {@code targets}.
   *
   * @throws IllegalArgumentException if there is no such layer, it may not go over the targets, or
   *     a new chain does not start; nothing is written
   */
  public Installed installLayer(String name, Map<String, String> settings, Targets targets)
      throws IOException {
    Catalog current = store.read().catalog();
    ProviderDescriptor layer =
        layerNamed(
            name,
            ProviderSource.firstOf(
                List.of(
                    plugins.source(current.plugins()),
                    ProviderSource.classpath(LayerInstaller.class.getClassLoader()))));
    return install(layer, Optional.empty(), settings, targets);
  }

  /**
   * Copies the plugin {@code jar} into the plugin store ({@link PluginStore#add}) and installs its
   * layer with {@code settings} over {@code targets}; a refused install leaves the stored jar only
   * if the catalog records it already.
   *
   * @throws dev.protochain.api.ProtochainException {@code INVALID_PROVIDER} if the jar is no plugin
   * @throws IllegalArgumentException if the layer may not go over the targets, or a new chain does
   *     not start; nothing is written
   */
  public Installed installPlugin(Path jar, Map<String, String> settings, Targets targets)
      throws IOException {
    PluginRecord plugin = plugins.add(jar);
    ProviderDescriptor layer = PluginStore.inspect(plugins.jar(plugin));
    try {
      return install(layer, Optional.of(plugin), settings, targets);
    } catch (IOException | RuntimeException refused) {
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
      throw refused;
    }
  }

  private Installed install(
      ProviderDescriptor layer,
      Optional<PluginRecord> plugin,
      Map<String, String> settings,
      Targets targets)
      throws IOException {
    String purpose = "install layer '" + layer.name() + "'";
    for (int attempt = 1; ; attempt++) {
      Catalog snapshot = store.read().catalog();
      Catalog current = plugin.isPresent() ? plugins.record(snapshot, plugin.get()) : snapshot;
      Installation planned =
          targets.pick().isEmpty()
              ? current.installEverywhere(layer, settings)
              : current.install(layer, settings, targets.pick().get().apply(current));
      check.checkInstall(planned);
      try {
        CatalogChange change =
            store.update(
                purpose,
                stored -> {
                  if (!stored.equals(snapshot)) {
                    throw new Changed();
                  }
                  if (plugin.isPresent() && !Files.exists(plugins.jar(plugin.get()))) {
                    throw new IOException(
                        "the stored plugin jar "
                            + plugins.jar(plugin.get())
                            + " was removed while it was checked; install it again");
                  }
                  return planned.catalog();
                });
        return new Installed(layer, plugin, planned, change);
      } catch (Changed e) {
        if (attempt == ATTEMPTS) {
          throw new IllegalStateException(
              "installing layer '"
                  + layer.name()
                  + "': the catalog changed each of "
                  + ATTEMPTS
                  + " times the new chains were checked; nothing was installed, try again");
        }
      }
    }
  }

  /** Thrown by an edit when the catalog changed while the new chains were being checked. */
  private static final class Changed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Changed() {
      super(null, null, false, false);
    }
  }

  /**
   * Returns the layer named {@code name} among {@code providers} (the class path, and the plugins
   * the catalog records).
   *
   * @throws IllegalArgumentException if there is none, or several
   */
  public static ProviderDescriptor layerNamed(String name, ProviderSource providers) {
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
              + "' on the class path or among the installed plugins (layers there: "
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
