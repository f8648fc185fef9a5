package dev.protochain.runtime;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.NotInitialisedException;
import dev.protochain.api.Protocol;
import dev.protochain.api.Session;
import dev.protochain.api.SocketType;
import dev.protochain.api.VersionRange;
import dev.protochain.runtime.internal.RealChainRuntime;
import dev.protochain.runtime.internal.RuntimeConfig;
import dev.protochain.runtime.internal.Threads;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.StoredCatalog;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.UnaryOperator;

/**
 * One lifecycle domain [the Winsock "process"]: it holds a catalog snapshot, loads providers, keeps
 * their counts and hands out sessions.
 *
 * <p>Each startup starts every provider of the selected chain, top to bottom, each provider's count
 * rising by one; each cleanup ({@link Session#close()}) drops them again, top first, unloading a
 * provider whose count reaches zero. The full contract is stated on {@link
 * dev.protochain.api.spi.Provider}. Several runtimes may live in one JVM; they share nothing.
 *
 * <pre>{@code
 * try (ChainRuntime runtime = ChainRuntime.builder().catalog(catalog).build();
 *      Session session = runtime.startup("trace-over-tcp4")) {
 *   ChainSocket socket = session.open();
 *   ...
 * }
 * }</pre>
 *
 * <p>A runtime not closed by the application is closed once by a JVM shutdown hook, which cleans up
 * every session still open. Implementations are thread-safe.
 */
public interface ChainRuntime extends Closeable {

  /** Returns a builder with the built-in catalog and the providers on the class path. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Starts up the entry with {@code entryId}, a base or a chain, asking for a version in {@code
   * versions}.
   *
   * @throws dev.protochain.api.ProtochainException {@code NO_MATCHING_ENTRY} if no selectable entry
   *     has that id; {@code VERSION_NOT_SUPPORTED}, {@code INVALID_PROVIDER} or {@code
   *     PROVIDER_FAILED_INIT} if a provider of the chain refuses, after every provider already
   *     started for this request was cleaned up again
   */
  Session startup(int entryId, VersionRange versions) throws IOException;

  /** Starts up the entry with {@code entryId}, asking for any version this release speaks. */
  default Session startup(int entryId) throws IOException {
    return startup(entryId, VersionRange.ALL);
  }

  /**
   * Starts up the entry named {@code name}, asking for any version this release speaks; see {@link
   * #startup(int, VersionRange)}.
   */
  Session startup(String name) throws IOException;

  /**
   * Starts up the first base or chain entry serving (family, type, protocol) in catalog order
   * [{@code WSASocket}'s selection], asking for any version this release speaks; see {@link
   * #startup(int, VersionRange)}.
   */
  Session startup(AddressFamily family, SocketType type, Protocol protocol) throws IOException;

  /**
   * Performs one cleanup of {@code entryId}: closes the most recent session still open on it, the
   * count-level counterpart of {@link Session#close()}.
   *
   * @throws NotInitialisedException if no session of that entry is open; nothing changes
   */
  void cleanup(int entryId) throws IOException;

  /**
   * Returns the count of the provider of a layer's own entry or a base entry; 0 if never loaded. In
   * a runtime following its catalog, an id whose entry changed may name an old provider still in
   * use beside the new one: their counts add up.
   */
  int count(int providerEntryId);

  /**
   * Returns the count of every provider entry loaded at least once, by entry id, added up as {@link
   * #count} does.
   */
  Map<Integer, Integer> counts();

  /**
   * Returns the state of the provider of a layer's own entry or a base entry: of the current
   * catalog's provider of that id if it has one, else of an older one's.
   */
  ProviderState state(int providerEntryId);

  /**
   * Returns how many times the provider of {@code providerEntryId} was loaded so far, added up as
   * {@link #count} does.
   */
  int loads(int providerEntryId);

  /**
   * Returns the catalog snapshot the runtime's next startups use: the one it was built with, or,
   * for a runtime following its home's catalog ({@link Builder#followCatalog}), the last good
   * generation it took. Edits of the catalog file reach no other runtime.
   */
  Catalog catalog();

  /**
   * Returns the factory every thread this runtime and its providers start comes from (see {@link
   * Builder#threadFactory}); threads an application starts to serve chain sockets may come from it
   * too. Thread-safe.
   */
  ThreadFactory threadFactory();

  /** Returns whether the runtime selects base entries only. */
  boolean safeMode();

  /** Returns which entry (family, type, protocol) selects and why the others were passed over. */
  Selection explain(AddressFamily family, SocketType type, Protocol protocol);

  /**
   * Cleans up every session still open, most recent first, and refuses later startups. Closing
   * twice is harmless.
   */
  @Override
  void close() throws IOException;

  /** Configures and builds a {@link ChainRuntime}. Not thread-safe. */
  final class Builder {
    private String name = "protochain";
    private Catalog catalog = Catalog.builtin();
    private CatalogStore store;
    private long generation;
    private boolean followCatalog;
    private final List<CatalogListener> catalogListeners = new ArrayList<>();
    private final List<ProviderSource> sources = new ArrayList<>();
    private final List<LifecycleListener> listeners = new ArrayList<>();
    private final Map<Class<?>, Object> services = new HashMap<>();
    private Clock clock = Clock.systemUTC();
    private ThreadFactory threadFactory;
    private Duration drainTimeout = Duration.ofSeconds(30);
    private boolean safeMode;
    private boolean shutdownHook = true;
    private UnloadCheck unloadCheck;

    private Builder() {}

    /** Names the runtime, for logs and thread names. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Sets the catalog snapshot; it must be valid. Default: {@link Catalog#builtin()}. */
    public Builder catalog(Catalog catalog) {
      this.catalog = Objects.requireNonNull(catalog, "catalog");
      this.store = null;
      return this;
    }

    /**
     * Reads the catalog from {@code store} now and builds the runtime over it: the catalog's
     * plugins are found in the home's plugin store, before the other sources. Replaces an earlier
     * {@link #catalog(Catalog)}.
     *
     * @throws IOException as {@link CatalogStore#read()} throws it, such as a {@link
     *     CatalogInvalidException} naming the file and every problem
     */
    public Builder store(CatalogStore store) throws IOException {
      StoredCatalog read = store.read();
      this.catalog = read.catalog();
      this.generation = read.generation();
      this.store = store;
      return this;
    }

    /**
     * Whether the runtime follows its store's catalog file [{@code WSAProviderConfigChange}]: a
     * generation written by any process (the command line, another runtime) reaches the runtime's
     * next startups within a second. Sessions already open keep their chains and their counts, and
     * each provider still unloads when its last use ends, so a provider of the old generation and
     * one of the new may be loaded at once, each with its own count (an entry whose id is kept but
     * whose content changed gets a provider of its own). A file that cannot be read as a valid
     * catalog never replaces the generation in use: it is logged once and told to the {@link
     * #catalogListener catalog listeners}, and the next valid generation is taken. The follower is
     * a thread from the {@link #threadFactory}, stopped when the runtime closes. Needs {@link
     * #store}. Default: no.
     */
    public Builder followCatalog(boolean follow) {
      this.followCatalog = follow;
      return this;
    }

    /** Adds a listener of the generations a following runtime takes and refuses. */
    public Builder catalogListener(CatalogListener listener) {
      catalogListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Adds a place to find providers, asked before the class path of this class's loader, which is
     * always asked last.
     */
    public Builder source(ProviderSource source) {
      sources.add(Objects.requireNonNull(source, "source"));
      return this;
    }

    /**
     * Tracks every plugin load of the runtime with {@code check}: those of the {@linkplain #source
     * sources} and, for a runtime over a {@link #store}, those of the home's plugin store in every
     * generation it takes (see {@link UnloadCheck#track}).
     */
    public Builder unloadCheck(UnloadCheck check) {
      this.unloadCheck = Objects.requireNonNull(check, "check");
      return this;
    }

    /** Adds a lifecycle listener. */
    public Builder listener(LifecycleListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Registers an object providers may find through their runtime services. */
    public <T> Builder service(Class<T> type, T instance) {
      services.put(type, type.cast(Objects.requireNonNull(instance, "instance")));
      return this;
    }

    /** Sets the clock handed to providers. Default: the system UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the factory of every thread protochain starts for this runtime: layer timers, deferred
     * closes, drain watchdogs, the command line's pumps. Threads it makes that are not daemon
     * threads are made daemon threads. Default: virtual threads where the running JDK has them (21
     * and later), daemon platform threads otherwise.
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
      return this;
    }

    /**
     * Bounds how long a provider's final cleanup may spend delivering what closed sockets still
     * hold. Default: 30 seconds.
     */
    public Builder drainTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("drain timeout must not be negative: " + timeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /** Selects base entries only, without removing any layer [the catalog's safe mode]. */
    public Builder safeMode(boolean safeMode) {
      this.safeMode = safeMode;
      return this;
    }

    /** Whether to register a JVM shutdown hook that closes the runtime. Default: yes. */
    public Builder shutdownHook(boolean shutdownHook) {
      this.shutdownHook = shutdownHook;
      return this;
    }

    /**
     * Builds the runtime.
     *
     * @throws CatalogInvalidException if the catalog is invalid, listing every problem
     * @throws IllegalStateException if asked to follow the catalog without a {@link #store}
     */
    public ChainRuntime build() throws CatalogInvalidException {
      if (followCatalog && store == null) {
        throw new IllegalStateException(
            "followCatalog(true) needs the catalog's store (fix: call store(CatalogStore))");
      }
      catalog.checkValid("catalog");
      List<ProviderSource> all = new ArrayList<>(sources);
      UnaryOperator<ProviderSource> tracking =
          unloadCheck == null ? UnaryOperator.identity() : unloadCheck::track;
      all.add(ProviderSource.classpath(ChainRuntime.class.getClassLoader()));
      RuntimeConfig config =
          new RuntimeConfig(
              name,
              catalog,
              tracking.apply(all.size() == 1 ? all.get(0) : ProviderSource.firstOf(all)),
              listeners,
              services,
              clock,
              threadFactory == null ? Threads.byDefault(name) : threadFactory,
              drainTimeout,
              safeMode,
              shutdownHook,
              store,
              generation,
              followCatalog,
              catalogListeners,
              tracking);
      return new RealChainRuntime(config);
    }
  }
}
