package dev.protochain.runtime.internal;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.NotInitialisedException;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.Session;
import dev.protochain.api.SocketType;
import dev.protochain.api.Version;
import dev.protochain.api.VersionRange;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogProblem;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LifecycleEvent;
import dev.protochain.runtime.LifecycleListener;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.ProviderState;
import dev.protochain.runtime.Selection;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime: catalog snapshot, provider slots, open sessions and open chain sockets. See {@link
 * ChainRuntime} and {@link dev.protochain.api.spi.Provider} for the contract it implements.
 */
public final class RealChainRuntime implements ChainRuntime {

  private static final Logger log = LoggerFactory.getLogger(RealChainRuntime.class);

  private final RuntimeConfig config;
  private final Contexts.Services services;
  private final SlotHost host = new Host();
  private final Map<Integer, ProviderSlot> slots = new ConcurrentHashMap<>();
  // Open sessions by startup sequence: the count-level cleanup and close() take the most recent.
  private final Set<RealSession> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicLong sequence = new AtomicLong();
  // The catalog snapshot never changes, so each entry's chain is resolved and checked once.
  private final Map<Integer, Plan> plans = new ConcurrentHashMap<>();

  private final Set<RealChainSocket> sockets = ConcurrentHashMap.newKeySet();
  private final Thread shutdownHook;
  private volatile boolean closed;

  /** Creates the runtime {@code config} describes; {@link ChainRuntime.Builder} calls this. */
  public RealChainRuntime(RuntimeConfig config) {
    this.config = config;
    this.services =
        new Contexts.Services(
            config.name(), config.clock(), config.services(), config.threadFactory());
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
    CatalogEntry entry =
        s.entry()
            .orElseThrow(
                () ->
                    new ProtochainException(
                        ProtochainException.Code.NO_MATCHING_ENTRY,
                        "no catalog entry serves "
                            + s.request()
                            + (config.safeMode() ? " in safe mode" : "")));
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
      List<CatalogEntry> levels = config.catalog().resolve(entry);
      checkCapabilities(entry, levels);
      ProviderSlot[] slots = new ProviderSlot[levels.size()];
      for (int i = 0; i < slots.length; i++) {
        slots[i] = slot(levels.get(i));
      }
      plan = new Plan(entry, levels, slots);
      plans.put(entry.id(), plan);
    }
    StartedChain chain = new StartedChain(plan);
    start(plan, chain, 0, versions);
    RealSession session = new RealSession(this, chain, sequence.incrementAndGet());
    sessions.add(session);
    return session;
  }

  private void checkCapabilities(CatalogEntry entry, List<CatalogEntry> levels)
      throws ProtochainException {
    CatalogEntry base = levels.get(levels.size() - 1);
    for (int depth = 0; depth < levels.size() - 1; depth++) {
      Optional<CatalogProblem> missing =
          Compatibility.below(
              entry.toString(), List.of(entry.id()), slot(levels.get(depth)).descriptor(), base);
      if (missing.isPresent()) {
        throw new ProtochainException(
            ProtochainException.Code.CATALOG_INVALID, missing.get().message());
      }
    }
  }

  /**
   * Starts the provider at {@code depth} and, for a layer, everything below it first, recording
   * each in {@code chain}; on failure, cleans up what this call started, top-down, restores this
   * provider's count and rethrows.
   */
  private void start(Plan plan, StartedChain chain, int depth, VersionRange requested)
      throws ProtochainException {
    CatalogEntry target = plan.target;
    boolean isBase = depth == plan.depth() - 1;
    ProviderSlot slot = plan.slots[depth];
    ProviderDescriptor d = slot.descriptor();
    Plan.Negotiated agreed = plan.negotiate(depth, requested, d.versions());
    if (agreed == null) {
      throw new ProtochainException(
          ProtochainException.Code.VERSION_NOT_SUPPORTED,
          "startup of "
              + target
              + ": "
              + slot.describe()
              + " at depth "
              + depth
              + " supports versions "
              + d.versions()
              + ", none in the requested "
              + requested);
    }
    Version version = agreed.version();
    Provider provider = slot.acquire(target);
    boolean belowStarted = false;
    try {
      if (!isBase) {
        start(plan, chain, depth + 1, agreed.below());
        belowStarted = true;
      }
      Contexts.Startup context = plan.context(depth, version, services);
      try {
        provider.startup(context);
      } catch (IOException | RuntimeException e) {
        Throwable cause = slot.detach(e);
        throw new ProtochainException(
            ProtochainException.Code.PROVIDER_FAILED_INIT,
            "startup of "
                + target
                + ": "
                + slot.describe()
                + slot.origin()
                + " at depth "
                + depth
                + " failed to start: "
                + cause,
            cause);
      }
      chain.started(depth, provider, context);
    } catch (ProtochainException | RuntimeException | Error e) {
      List<Throwable> rollback = new ArrayList<>();
      if (belowStarted) {
        rollback.addAll(chain.cleanup(depth + 1));
      }
      rollback.addAll(slot.release("rollback of ", target));
      rollback.forEach(e::addSuppressed);
      throw e;
    }
  }

  ProviderSlot slot(CatalogEntry providerEntry) {
    return slots.computeIfAbsent(providerEntry.id(), id -> new ProviderSlot(host, providerEntry));
  }

  /* ---- cleanup ---- */

  void closed(RealSession session) {
    sessions.remove(session);
  }

  @Override
  public void cleanup(int entryId) throws IOException {
    RealSession found = null;
    for (RealSession s : sessions) {
      if (s.entry().id() == entryId && (found == null || s.sequence() > found.sequence())) {
        found = s;
      }
    }
    if (found == null) {
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
    found.close();
  }

  private String slotName(CatalogEntry e) {
    CatalogEntry top = config.catalog().resolve(e).get(0);
    try {
      return slot(top).descriptor().name();
    } catch (ProtochainException unknown) {
      return top.name();
    }
  }

  /* ---- sockets ---- */

  RealChainSocket register(RealChainSocket socket) {
    sockets.add(socket);
    return socket;
  }

  void deregister(RealChainSocket socket) {
    sockets.remove(socket);
  }

  /**
   * Closes, as their linger option says, every open chain socket passing through {@code entryId}.
   * All are marked first and closed second, so that an operation woken by the close of its peer (an
   * end of stream, say) already counts as aborted.
   */
  private void abortSockets(int entryId, String provider, List<Throwable> failures) {
    List<RealChainSocket> doomed = new ArrayList<>();
    for (Iterator<RealChainSocket> it = sockets.iterator(); it.hasNext(); ) {
      RealChainSocket s = it.next();
      if (s.passesThrough(entryId)) {
        it.remove();
        s.markAborted(provider);
        doomed.add(s);
      }
    }
    for (RealChainSocket s : doomed) {
      try {
        s.closeAborted();
      } catch (IOException | RuntimeException e) {
        failures.add(
            new ProtochainException(
                ProtochainException.Code.OPERATION_ABORTED,
                "closing " + s + " at the final cleanup of " + provider + " failed: " + e,
                e));
      }
    }
  }

  /* ---- observation ---- */

  /**
   * Tells the listeners; the detail is {@code detail + subject}, built only when someone listens (a
   * startup's hot path must not format strings for nobody).
   */
  private void emit(
      LifecycleEvent.Type type,
      CatalogEntry provider,
      int count,
      String detail,
      Object subject,
      Throwable failure) {
    if (type == LifecycleEvent.Type.FAILURE || type == LifecycleEvent.Type.UNDELIVERED) {
      log.warn(
          "runtime '{}': {} {} (entry {}): {}{}",
          config.name(),
          type,
          provider.name(),
          provider.id(),
          detail,
          subject,
          failure);
    } else if (type == LifecycleEvent.Type.LOAD || type == LifecycleEvent.Type.UNLOAD
        ? log.isDebugEnabled()
        : log.isTraceEnabled()) {
      String line =
          "runtime '"
              + config.name()
              + "': "
              + type
              + " "
              + provider.name()
              + " (entry "
              + provider.id()
              + ") count "
              + count
              + " "
              + detail
              + subject;
      if (type == LifecycleEvent.Type.LOAD || type == LifecycleEvent.Type.UNLOAD) {
        log.debug(line);
      } else {
        log.trace(line);
      }
    }
    List<LifecycleListener> listeners = config.listeners();
    if (listeners.isEmpty()) {
      return;
    }
    LifecycleEvent event = new LifecycleEvent(type, provider, count, detail + subject, failure);
    for (LifecycleListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        log.warn("lifecycle listener {} threw on {}; ignored", l, event, e);
      }
    }
  }

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
    return config.catalog().explain(family, type, protocol, config.safeMode());
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
      log.warn("closing runtime '{}' at JVM exit failed", config.name(), e);
    }
  }

  private void closeSessions() throws IOException {
    closed = true;
    IOException first = null;
    // Most recent first; repeated, since a startup that passed the closed check may still land.
    while (!sessions.isEmpty()) {
      List<RealSession> open = new ArrayList<>(sessions);
      open.sort(java.util.Comparator.comparingLong(RealSession::sequence).reversed());
      for (RealSession s : open) {
        try {
          s.close();
        } catch (IOException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** What the slots may ask of this runtime. */
  private final class Host implements SlotHost {
    @Override
    public ProviderSource source() {
      return config.source();
    }

    @Override
    public Contexts.Services services() {
      return services;
    }

    @Override
    public Instant drainDeadline() {
      return Instant.now(config.clock()).plus(config.drainTimeout());
    }

    @Override
    public void abortSockets(int entryId, String provider, List<Throwable> failures) {
      RealChainRuntime.this.abortSockets(entryId, provider, failures);
    }

    @Override
    public void emit(
        LifecycleEvent.Type type,
        CatalogEntry provider,
        int count,
        String detail,
        Object subject,
        Throwable failure) {
      RealChainRuntime.this.emit(type, provider, count, detail, subject, failure);
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
