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
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.ProviderState;
import dev.protochain.runtime.Selection;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.LoggerFactory;

/**
 * The runtime: catalog snapshot, provider slots, open sessions and open chain sockets. See {@link
 * ChainRuntime} and {@link dev.protochain.api.spi.Provider} for the contract it implements.
 */
public final class RealChainRuntime implements ChainRuntime {

  private final RuntimeConfig config;
  private final Contexts.Services services;
  private final SlotHost host;
  private final Map<Integer, ProviderSlot> slots = new ConcurrentHashMap<>();
  // The catalog snapshot never changes, so each entry's chain is resolved and checked once.
  private final Map<Integer, Plan> plans = new ConcurrentHashMap<>();
  private static final int TYPES = SocketType.values().length;
  private static final int PROTOCOLS = Protocol.values().length;
  // The selection of each request (family, type, protocol), made at its first startup or explain.
  private final AtomicReferenceArray<Selection> selections =
      new AtomicReferenceArray<>(AddressFamily.values().length * TYPES * PROTOCOLS);
  private final OpenSessions sessions = new OpenSessions();
  private final OpenSockets sockets = new OpenSockets();
  private final Thread shutdownHook;
  private volatile boolean closed;

  /** Creates the runtime {@code config} describes; {@link ChainRuntime.Builder} calls this. */
  public RealChainRuntime(RuntimeConfig config) {
    this.config = config;
    this.services =
        new Contexts.Services(
            config.name(), config.clock(), config.services(), config.threadFactory());
    this.host =
        new SlotHost(
            config.source(),
            services,
            config.clock(),
            config.drainTimeout(),
            sockets,
            new LifecycleLog(config.name(), config.listeners()));
    if (config.shutdownHook()) {
      // A plain thread, not one from the thread factory: the JVM starts a shutdown hook itself, at
      // exit, and an application's factory may already refuse threads (or be shut down) by then.
      shutdownHook = new Thread(this::closeAtExit, "protochain-shutdown-" + config.name());
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } else {
      shutdownHook = null;
    }
  }

  /* ---- startup ---- */

  @Override
  public Session startup(int entryId, VersionRange versions) throws IOException {
    CatalogEntry entry =
        config
            .catalog()
            .entry(entryId)
            .orElseThrow(
                () ->
                    new ProtochainException(
                        ProtochainException.Code.NO_MATCHING_ENTRY,
                        "no catalog entry has id " + entryId));
    return startup(entry, versions);
  }

  @Override
  public Session startup(String name) throws IOException {
    CatalogEntry entry =
        config
            .catalog()
            .entry(name)
            .orElseThrow(
                () ->
                    new ProtochainException(
                        ProtochainException.Code.NO_MATCHING_ENTRY,
                        "no catalog entry is named '" + name + "'"));
    return startup(entry, VersionRange.ALL);
  }

  @Override
  public Session startup(AddressFamily family, SocketType type, Protocol protocol)
      throws IOException {
    Selection s = explain(family, type, protocol);
    CatalogEntry entry = s.chosen();
    if (entry == null) {
      throw new ProtochainException(
          ProtochainException.Code.NO_MATCHING_ENTRY,
          "no catalog entry serves " + s.request() + (config.safeMode() ? " in safe mode" : ""));
    }
    return startup(entry, VersionRange.ALL);
  }

  private Session startup(CatalogEntry entry, VersionRange versions) throws IOException {
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
    Plan plan = plans.get(entry.id());
    if (plan == null) {
      plan = Plan.of(entry, config.catalog(), this::slot);
      plans.put(entry.id(), plan);
    }
    return sessions.open(StartedChain.start(plan, versions, services), sockets);
  }

  private ProviderSlot slot(CatalogEntry providerEntry) {
    return slots.computeIfAbsent(providerEntry.id(), id -> new ProviderSlot(host, providerEntry));
  }

  /* ---- cleanup ---- */

  @Override
  public void cleanup(int entryId) throws IOException {
    Optional<RealSession> found = sessions.latest(entryId);
    if (found.isEmpty()) {
      CatalogEntry e =
          config
              .catalog()
              .entry(entryId)
              .orElseThrow(
                  () ->
                      new NotInitialisedException(
                          "entry " + entryId + " does not exist: count 0, cleanup 1"));
      String provider = e.kind() == EntryKind.LAYER ? e.name() : slotName(e);
      throw new NotInitialisedException(
          "provider '" + provider + "' (entry " + e.id() + "): count 0, cleanup 1");
    }
    found.get().close();
  }

  private String slotName(CatalogEntry e) {
    CatalogEntry top = config.catalog().resolve(e).get(0);
    try {
      return slot(top).descriptor().name();
    } catch (ProtochainException unknown) {
      return top.name();
    }
  }

  /* ---- observation ---- */

  @Override
  public int count(int providerEntryId) {
    ProviderSlot s = slots.get(providerEntryId);
    return s == null ? 0 : s.count();
  }

  @Override
  public Map<Integer, Integer> counts() {
    Map<Integer, Integer> out = new TreeMap<>();
    slots.forEach(
        (id, s) -> {
          if (s.loads() > 0) {
            out.put(id, s.count());
          }
        });
    return out;
  }

  @Override
  public ProviderState state(int providerEntryId) {
    ProviderSlot s = slots.get(providerEntryId);
    return s == null ? ProviderState.UNLOADED : s.state();
  }

  @Override
  public int loads(int providerEntryId) {
    ProviderSlot s = slots.get(providerEntryId);
    return s == null ? 0 : s.loads();
  }

  @Override
  public Catalog catalog() {
    return config.catalog();
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
    // Every startup by request asks this: the catalog snapshot never changes, so each request's
    // selection (immutable) is made once.
    int key = (family.ordinal() * TYPES + type.ordinal()) * PROTOCOLS + protocol.ordinal();
    Selection s = selections.get(key);
    if (s == null) {
      s = config.catalog().explain(family, type, protocol, config.safeMode());
      selections.set(key, s);
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
      LoggerFactory.getLogger(RealChainRuntime.class)
          .warn("closing runtime '{}' at JVM exit failed", config.name(), e);
    }
  }

  private void closeSessions() throws IOException {
    closed = true;
    sessions.closeAll();
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
