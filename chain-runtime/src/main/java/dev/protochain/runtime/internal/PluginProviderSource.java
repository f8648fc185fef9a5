package dev.protochain.runtime.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.PluginStore;
import dev.protochain.runtime.ProviderBinding;
import dev.protochain.runtime.ProviderSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The providers of recorded plugins: a record claiming an id the class path or another plugin
 * provides is refused ({@link #claimRefusal}); each jar's digest is checked against its record
 * before it is described or loaded, and every load gets a fresh {@link PluginClassLoader}, closed
 * at unload after checking that the plugin left no thread running.
 */
public final class PluginProviderSource implements ProviderSource {

  private final PluginStore store;
  private final List<PluginRecord> records;
  private final ProviderSource classpath;
  private final Map<UUID, ProviderDescriptor> descriptors = new ConcurrentHashMap<>();

  /**
   * Creates a source of {@code records} kept in {@code store}; no record may claim an id that
   * {@code classpath} or another record provides.
   */
  public PluginProviderSource(
      PluginStore store, List<PluginRecord> records, ProviderSource classpath) {
    this.store = store;
    this.records = List.copyOf(records);
    this.classpath = classpath;
  }

  /**
   * Returns why {@code record} may not provide its id, or empty if it may: a provider id is bound
   * to its origin, so a plugin may not claim one that {@code classpath} provides, nor one that
   * another plugin among {@code records} (another jar) provides. Otherwise a plugin declaring, say,
   * the id of the stock {@code tls} layer would take over every {@code tls} chain.
   */
  public static Optional<String> claimRefusal(
      PluginRecord record, List<PluginRecord> records, ProviderSource classpath)
      throws ProtochainException {
    Optional<ProviderDescriptor> stock = classpath.describe(record.providerId());
    if (stock.isPresent()) {
      return Optional.of(
          record
              + " claims the id of provider '"
              + stock.get().name()
              + "' on the class path ("
              + stock.get().className()
              + "); a provider id belongs to where it comes from, and a plugin may take none that"
              + " the class path or another plugin provides: give the plugin an id of its own");
    }
    for (PluginRecord other : records) {
      if (other.providerId().equals(record.providerId()) && !other.file().equals(record.file())) {
        return Optional.of(
            record
                + " claims the id of "
                + other
                + ", stored as "
                + other.file()
                + "; a provider id belongs to where it comes from, and a plugin may take none that"
                + " the class path or another plugin provides: remove the entries of "
                + other
                + " first, or give the plugin an id of its own");
      }
    }
    return Optional.empty();
  }

  @Override
  public String name() {
    return "plugin store " + store.directory();
  }

  private Optional<PluginRecord> record(UUID providerId) {
    return records.stream().filter(r -> r.providerId().equals(providerId)).findFirst();
  }

  @Override
  public Optional<ProviderDescriptor> describe(UUID providerId) throws ProtochainException {
    Optional<PluginRecord> record = record(providerId);
    if (record.isEmpty()) {
      return Optional.empty();
    }
    ProviderDescriptor d = descriptors.get(providerId);
    if (d == null) {
      Optional<String> refusal = claimRefusal(record.get(), records, classpath);
      if (refusal.isPresent()) {
        throw new ProtochainException(ProtochainException.Code.INVALID_PROVIDER, refusal.get());
      }
      Path jar = verified(record.get());
      d = PluginStore.inspect(jar);
      if (!d.id().equals(providerId)) {
        throw new ProtochainException(
            ProtochainException.Code.INVALID_PROVIDER,
            "plugin jar "
                + jar
                + " holds "
                + d
                + " with id "
                + d.id()
                + ", not "
                + providerId
                + " as recorded for "
                + record.get());
      }
      descriptors.put(providerId, d);
    }
    return Optional.of(d);
  }

  /**
   * Returns the descriptors of the recorded plugins that are usable; an unusable one is left out.
   */
  @Override
  public List<ProviderDescriptor> descriptors() {
    List<ProviderDescriptor> out = new ArrayList<>();
    for (PluginRecord r : records) {
      try {
        describe(r.providerId()).ifPresent(out::add);
      } catch (ProtochainException unusable) {
        // Left out here; Catalog.problems(source) and a startup report it with its reason.
      }
    }
    return out;
  }

  @Override
  public ProviderBinding bind(UUID providerId) throws ProtochainException {
    PluginRecord record =
        record(providerId)
            .orElseThrow(
                () ->
                    new ProtochainException(
                        ProtochainException.Code.INVALID_PROVIDER,
                        "no plugin holds provider " + providerId + " in " + name()));
    ProviderDescriptor d = describe(providerId).orElseThrow();
    Path jar = verified(record);
    PluginClassLoader loader;
    try {
      loader = PluginClassLoader.open(jar);
    } catch (IOException e) {
      throw new ProtochainException(
          ProtochainException.Code.INVALID_PROVIDER,
          "plugin jar " + jar + " cannot be opened: " + e,
          e);
    }
    try {
      Class<?> type = Class.forName(d.className(), false, loader);
      if (!Provider.class.isAssignableFrom(type) || type.getClassLoader() != loader) {
        throw new ProtochainException(
            ProtochainException.Code.INVALID_PROVIDER,
            "plugin jar " + jar + ": " + d.className() + " is not a provider class of the jar");
      }
      @SuppressWarnings("unchecked")
      Class<? extends Provider> providerType = (Class<? extends Provider>) type;
      List<Module> modules = loader.modules();
      return new PluginBinding(d, providerType, modules, loader);
    } catch (ClassNotFoundException
        | LinkageError
        | ServiceConfigurationError
        | RuntimeException e) {
      closeQuietly(loader, e);
      throw new ProtochainException(
          ProtochainException.Code.INVALID_PROVIDER,
          "plugin jar " + jar + " cannot be loaded: " + e,
          e);
    } catch (ProtochainException e) {
      closeQuietly(loader, e);
      throw e;
    }
  }

  private Path verified(PluginRecord record) throws ProtochainException {
    Path jar = store.jar(record);
    store.checkTrusted(Optional.of(jar));
    String actual;
    try {
      actual = PluginStore.sha256(jar);
    } catch (IOException e) {
      throw new ProtochainException(
          ProtochainException.Code.INVALID_PROVIDER,
          "plugin jar " + jar + " of " + record + " cannot be read: " + e,
          e);
    }
    if (!actual.equals(record.sha256())) {
      throw new ProtochainException(
          ProtochainException.Code.INVALID_PROVIDER,
          "plugin jar "
              + jar
              + " of "
              + record
              + " has SHA-256 "
              + actual
              + ", but "
              + record.sha256()
              + " was recorded at install");
    }
    return jar;
  }

  private static void closeQuietly(PluginClassLoader loader, Throwable primary) {
    try {
      loader.close();
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }

  /** One load of a plugin: its class loader, closed at unload. */
  private static final class PluginBinding implements InjectedBinding {
    private final ProviderDescriptor descriptor;
    private final Class<? extends Provider> type;
    private final List<Module> modules;
    private final PluginClassLoader loader;

    PluginBinding(
        ProviderDescriptor descriptor,
        Class<? extends Provider> type,
        List<Module> modules,
        PluginClassLoader loader) {
      this.descriptor = descriptor;
      this.type = type;
      this.modules = modules;
      this.loader = loader;
    }

    @Override
    public ProviderDescriptor descriptor() {
      return descriptor;
    }

    @Override
    public Module module() {
      return new AbstractModule() {
        @Override
        protected void configure() {
          bind(type); // explicit: no just-in-time binding
          bind(Provider.class).to(type);
          modules.forEach(this::install);
        }
      };
    }

    @Override
    public ClassLoader classLoader() {
      return loader;
    }

    @Override
    public Origin origin() {
      return new Origin.Plugin(loader.jar());
    }

    /**
     * Closes the loader, after checking that no thread of the plugin is still alive (see {@link
     * PluginClassLoader#threads}), each given a second to end.
     */
    @Override
    public void close() throws IOException {
      List<String> running = new ArrayList<>();
      for (Thread t : loader.threads()) {
        try {
          t.join(1_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
          running.add(PluginClassLoader.describe(t));
        }
      }
      loader.close();
      if (!running.isEmpty()) {
        throw new IOException(
            "plugin jar "
                + loader.jar()
                + " left "
                + running.size()
                + " thread(s) running after"
                + " unload: "
                + running
                + "; a provider must stop its threads in unload()");
      }
    }
  }
}
