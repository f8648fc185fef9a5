package dev.protochain.runtime.internal;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.NotInitialisedException;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.Session;
import dev.protochain.api.SocketType;
import dev.protochain.api.VersionRange;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogGeneration;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.ProviderState;
import dev.protochain.runtime.Selection;
import dev.protochain.runtime.internal.jfr.CatalogGenerationEvent;
import dev.protochain.runtime.internal.jfr.CleanupEvent;
import dev.protochain.runtime.internal.jfr.DrainEvent;
import dev.protochain.runtime.internal.jfr.LoadEvent;
import dev.protochain.runtime.internal.jfr.StartupEvent;
import dev.protochain.runtime.internal.jfr.UnloadEvent;
import dev.protochain.runtime.store.StoredCatalog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The runtime: catalog generation, provider slots, open sessions and open chain sockets. See {@link
 * ChainRuntime} and {@link dev.protochain.api.spi.Provider} for the contract it implements.
 */
public final class RealChainRuntime implements ChainRuntime {

  // The classes every startup and cleanup uses are initialised with the runtime, not by its first
  // startups: a thread that waits while another one initialises a class pins its carrier (a virtual
  // thread cannot unmount there), so thousands of first startups at once would all pin behind one.
  static {
    for (Class<?> type :
        List.of(
            StartedChain.class,
            Plan.class,
            RealSession.class,
            RealChainSocket.class,
            StartupEvent.class,
            CleanupEvent.class,
            LoadEvent.class,
            UnloadEvent.class,
            DrainEvent.class)) {
      try {
        Class.forName(type.getName(), true, type.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(type + " is part of this module", e);
      }
    }
  }

  private final RuntimeConfig config;
  private final Contexts.Services services;
  // Every provider slot ever made, by entry and plugin: an unchanged entry keeps its slot across
  // generations, a changed one gets a new slot while the old one drains.
  private final Map<SlotKey, ProviderSlot> slots = new ConcurrentHashMap<>();
  private final OpenSockets sockets = new OpenSockets();
  private final OpenSessions sessions = new OpenSessions(sockets);
  private final LifecycleLog log;
  private final RuntimeView view;
  private final Thread shutdownHook;
  private final CatalogFollower follower;
  private volatile Generation current;
  private volatile boolean closed;

  /**
   * What makes a provider slot: its entry and, if it comes from one, the plugin recorded for it.
   */
  private static final int TYPES = SocketType.values().length;

  private static final int PROTOCOLS = Protocol.values().length;

  private record SlotKey(CatalogEntry entry, PluginRecord plugin) {}

  /**
   * One catalog generation: the snapshot, where its providers are found, and each entry's chain,
   * resolved and checked once (the snapshot never changes).
   */
  private static final class Generation {
    final Catalog catalog;
    final long number;
    final SlotHost host;
    final Map<Integer, Plan> plans = new ConcurrentHashMap<>();
    // The plan of the last startup: most startups repeat it, and find it without boxing an id.
    volatile Plan last;
    // The selection of each request (family, type, protocol), made at its first startup or explain.
    final AtomicReferenceArray<Selection> selections =
        new AtomicReferenceArray<>(AddressFamily.values().length * TYPES * PROTOCOLS);

    Generation(Catalog catalog, long number, SlotHost host) {
      this.catalog = catalog;
      this.number = number;
      this.host = host;
    }
  }

  /** Creates the runtime {@code config} describes; {@link ChainRuntime.Builder} calls this. */
  public RealChainRuntime(RuntimeConfig config) {
    this.config = config;
    this.services =
        new Contexts.Services(
            config.name(), config.clock(), config.services(), config.threadFactory());
    this.log = new LifecycleLog(config.name(), config.listeners());
    this.current = generation(config.catalog(), config.generation());
    // Before the hook: a factory that refuses the thread fails the build with nothing registered.
    this.follower =
        config.follow()
            ? new CatalogFollower(
                config.name(),
                config.store(),
                config.generation(),
                this::take,
                config.catalogListeners(),
                services.threadFactory())
            : null;
    this.view =
        new RuntimeView(
            config.name(), config.follow(), this::counts, slots.values(), sessions, sockets, log);
    view.catalog(current.number, home());
    if (config.shutdownHook()) {
      // A plain thread, not one from the thread factory: the JVM starts a shutdown hook itself, at
      // exit, and an application's factory may already refuse threads (or be shut down) by then.
      shutdownHook = new Thread(this::closeAtExit, "protochain-shutdown-" + config.name());
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } else {
      shutdownHook = null;
    }
    view.registerSoon();
  }

  /**
   * Returns generation {@code number} of {@code catalog}, its plugins found in the home's store.
   */
  private Generation generation(Catalog catalog, long number) {
    ProviderSource source = config.source();
    if (config.store() != null && !catalog.plugins().isEmpty()) {
      source =
          ProviderSource.firstOf(
              List.of(
                  config
                      .tracking()
                      .apply(config.store().home().plugins().source(catalog.plugins())),
                  source));
    }
    return new Generation(
        catalog,
        number,
        new SlotHost(source, services, config.clock(), config.drainTimeout(), sockets, log));
  }

  /**
   * Makes {@code read} the generation the next startups use, unless it is the one in use; returns
   * what changed. Called by the follower only.
   */
  private Optional<CatalogGeneration> take(StoredCatalog read) {
    Generation old = current;
    if (read.generation() == old.number && read.catalog().equals(old.catalog)) {
      return Optional.empty();
    }
    current = generation(read.catalog(), read.generation());
    view.catalog(read.generation(), home());
    CatalogGeneration taken =
        CatalogGeneration.between(old.catalog, old.number, read.catalog(), read.generation());
    new CatalogGenerationEvent()
        .taken(
            config.name(),
            home(),
            taken.generation(),
            taken.previous(),
            read.catalog().entries().size(),
            () ->
                "added "
                    + taken.added().size()
                    + ", removed "
                    + taken.removed().size()
                    + ", changed "
                    + taken.changed().size());
    return Optional.of(taken);
  }

  /** Returns the home whose catalog this runtime was built over, or "" for a catalog in memory. */
  private String home() {
    return config.store() == null ? "" : config.store().home().directory().toString();
  }

  /* ---- startup ---- */

  @Override
  public Session startup(int entryId, VersionRange versions) throws IOException {
    Generation g = current;
    CatalogEntry entry =
        g.catalog.entry(entryId).orElseThrow(() -> noEntry("no catalog entry has id " + entryId));
    return startup(g, entry, versions);
  }

  @Override
  public Session startup(String name) throws IOException {
    Generation g = current;
    CatalogEntry entry =
        g.catalog
            .entry(name)
            .orElseThrow(() -> noEntry("no catalog entry is named '" + name + "'"));
    return startup(g, entry, VersionRange.ALL);
  }

  /**
   * Returns the {@code NO_MATCHING_ENTRY} error {@code problem}, naming the artifact of the
   * built-in bases when the runtime's providers hold no base at all (an application that left them
   * out).
   */
  private ProtochainException noEntry(String problem) {
    boolean noBase = BuiltinBases.of(config.source()).entries().isEmpty();
    return new ProtochainException(
        ProtochainException.Code.NO_MATCHING_ENTRY,
        problem
            + (noBase
                ? "; no base provider is in "
                    + config.source().name()
                    + ": "
                    + BuiltinBases.ARTIFACT
                : ""));
  }

  @Override
  public Session startup(AddressFamily family, SocketType type, Protocol protocol)
      throws IOException {
    Generation g = current;
    Selection s = explain(g, family, type, protocol);
    CatalogEntry entry = s.chosen();
    if (entry == null) {
      throw noEntry(
          "no catalog entry serves " + s.request() + (config.safeMode() ? " in safe mode" : ""));
    }
    return startup(g, entry, VersionRange.ALL);
  }

  private Session startup(Generation g, CatalogEntry entry, VersionRange versions)
      throws IOException {
    if (closed) {
      throw new IllegalStateException("runtime '" + config.name() + "' is closed");
    }
    if (entry.kind() == EntryKind.LAYER) {
      throw new ProtochainException(
          ProtochainException.Code.NO_MATCHING_ENTRY,
          entry + " is a layer's own entry; start up a chain that names it");
    }
    if (config.safeMode() && entry.kind() == EntryKind.CHAIN) {
      throw new ProtochainException(
          ProtochainException.Code.NO_MATCHING_ENTRY,
          entry + " is a chain; safe mode runs base entries only");
    }
    try {
      Plan plan = g.last;
      if (plan == null || plan.target.id() != entry.id()) { // g.plans is keyed by id too
        plan = g.plans.get(entry.id());
        if (plan == null) {
          plan = Plan.of(entry, g.catalog, e -> slot(g, e));
          g.plans.put(entry.id(), plan);
        }
        g.last = plan;
      }
      return sessions.open(StartedChain.start(plan, versions, services));
    } catch (ProtochainException e) {
      log.failed(e);
      throw e;
    }
  }

  private ProviderSlot slot(Generation g, CatalogEntry providerEntry) {
    SlotKey key =
        new SlotKey(providerEntry, g.catalog.plugin(providerEntry.providerId()).orElse(null));
    return slots.computeIfAbsent(key, k -> new ProviderSlot(g.host, providerEntry));
  }

  /* ---- cleanup ---- */

  @Override
  public void cleanup(int entryId) throws IOException {
    Optional<RealSession> found = sessions.latest(entryId);
    if (found.isEmpty()) {
      Generation g = current;
      CatalogEntry e =
          g.catalog
              .entry(entryId)
              .orElseThrow(
                  () ->
                      new NotInitialisedException(
                          "entry " + entryId + " does not exist: count 0, cleanup 1"));
      String provider = e.kind() == EntryKind.LAYER ? e.name() : slotName(g, e);
      throw new NotInitialisedException(
          "provider '" + provider + "' (entry " + e.id() + "): count 0, cleanup 1");
    }
    found.get().close();
  }

  private String slotName(Generation g, CatalogEntry e) {
    CatalogEntry top = g.catalog.resolve(e).get(0);
    try {
      return slot(g, top).descriptor().name();
    } catch (ProtochainException unknown) {
      return top.name();
    }
  }

  /* ---- observation ---- */

  // An id may name a provider of an older generation still in use as well as the current one:
  // counts and loads add up over them.

  @Override
  public int count(int providerEntryId) {
    int sum = 0;
    for (ProviderSlot s : slotsOf(providerEntryId)) {
      sum += s.count();
    }
    return sum;
  }

  @Override
  public Map<Integer, Integer> counts() {
    Map<Integer, Integer> out = new TreeMap<>();
    slots.forEach(
        (key, s) -> {
          if (s.loads() > 0) {
            out.merge(key.entry().id(), s.count(), Integer::sum);
          }
        });
    return out;
  }

  /** Returns the state of the current generation's provider of the id, else of an older one's. */
  @Override
  public ProviderState state(int providerEntryId) {
    Generation g = current;
    ProviderState older = ProviderState.UNLOADED;
    for (ProviderSlot s : slotsOf(providerEntryId)) {
      if (g.catalog.entry(providerEntryId).filter(s.entry()::equals).isPresent()) {
        return s.state();
      }
      if (older == ProviderState.UNLOADED) {
        older = s.state();
      }
    }
    return older;
  }

  @Override
  public int loads(int providerEntryId) {
    int sum = 0;
    for (ProviderSlot s : slotsOf(providerEntryId)) {
      sum += s.loads();
    }
    return sum;
  }

  private List<ProviderSlot> slotsOf(int providerEntryId) {
    List<ProviderSlot> out = new ArrayList<>(1);
    slots.forEach(
        (key, s) -> {
          if (key.entry().id() == providerEntryId) {
            out.add(s);
          }
        });
    return out;
  }

  @Override
  public Catalog catalog() {
    return current.catalog;
  }

  @Override
  public ThreadFactory threadFactory() {
    return services.threadFactory();
  }

  @Override
  public boolean safeMode() {
    return config.safeMode();
  }

  @Override
  public Selection explain(AddressFamily family, SocketType type, Protocol protocol) {
    return explain(current, family, type, protocol);
  }

  @SuppressWarnings("EnumOrdinal") // a dense index into this generation's cache, never stored
  private Selection explain(
      Generation g, AddressFamily family, SocketType type, Protocol protocol) {
    // Every startup by request asks this: a generation's catalog never changes, so each request's
    // selection (immutable) is made once per generation.
    int key = (family.ordinal() * TYPES + type.ordinal()) * PROTOCOLS + protocol.ordinal();
    Selection s = g.selections.get(key);
    if (s == null) {
      s = g.catalog.explain(family, type, protocol, config.safeMode());
      g.selections.set(key, s);
    }
    return s;
  }

  /* ---- close ---- */

  @Override
  public void close() throws IOException {
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or about to; it closes the runtime itself.
      }
    }
    closeSessions();
  }

  private void closeAtExit() {
    try {
      closeSessions();
    } catch (IOException | RuntimeException e) {
      Logs.runtime().warn("closing runtime '{}' at JVM exit failed", config.name(), e);
    }
  }

  private void closeSessions() throws IOException {
    closed = true;
    if (follower != null) {
      follower.close();
    }
    try {
      sessions.closeAll();
    } finally {
      view.unregister();
    }
  }

  /** Returns {@code ChainRuntime[name, 3 sessions]}. */
  @Override
  public String toString() {
    int open = sessions.size();
    return "ChainRuntime["
        + config.name()
        + ", "
        + open
        + " sessions"
        + (closed ? ", closed" : "")
        + "]";
  }
}
