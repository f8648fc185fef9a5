package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtochainException;
import dev.protochain.runtime.LifecycleEvent;
import dev.protochain.runtime.LifecycleListener;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * Where one runtime tells its lifecycle: the log (failures and undelivered bytes as warnings, loads
 * and unloads at debug, the rest at trace) and the lifecycle listeners; it also keeps the tallies
 * the runtime's JMX view shows (bytes undelivered, failures by code). Thread-safe.
 */
final class LifecycleLog {

  // The runtime's log category, as applications configure it.
  private static final Logger log = Logs.runtime();

  private final String runtime;
  private final List<LifecycleListener> listeners;
  private final LongAdder undelivered = new LongAdder();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

  LifecycleLog(String runtime, List<LifecycleListener> listeners) {
    this.runtime = runtime;
    this.listeners = List.copyOf(listeners);
  }

  /**
   * Returns whether someone reads the order of a provider's {@code STARTUP} and {@code CLEANUP}
   * events (a lifecycle listener, or the trace log): then every change of a count takes its
   * provider's lock, so that the events arrive in the order of the counts they carry.
   */
  boolean ordered() {
    return !listeners.isEmpty() || log.isTraceEnabled();
  }

  /** Tells that {@code bytes} held by closed sockets of {@code provider} were not delivered. */
  void undelivered(CatalogEntry provider, long bytes) {
    undelivered.add(bytes);
    emit(LifecycleEvent.Type.UNDELIVERED, provider, 0, bytes + " bytes undelivered", "", null);
  }

  /** Counts one failure that reached a caller of startup or cleanup, by its code. */
  void failed(Throwable failure) {
    String code =
        failure instanceof ProtochainException
            ? ((ProtochainException) failure).code().name()
            : failure.getClass().getSimpleName();
    failures.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  /** Returns the bytes undelivered so far. */
  long undelivered() {
    return undelivered.sum();
  }

  /** Returns the failures so far, by code. */
  Map<String, Long> failures() {
    Map<String, Long> out = new TreeMap<>();
    failures.forEach((code, n) -> out.put(code, n.sum()));
    return out;
  }

  /**
   * Tells the log and the listeners; the detail is {@code detail + subject}, built only when
   * someone listens (a startup's hot path must not format strings for nobody).
   */
  void emit(
      LifecycleEvent.Type type,
      CatalogEntry provider,
      int count,
      String detail,
      Object subject,
      Throwable failure) {
    boolean loading = type == LifecycleEvent.Type.LOAD || type == LifecycleEvent.Type.UNLOAD;
    if (type == LifecycleEvent.Type.FAILURE || type == LifecycleEvent.Type.UNDELIVERED) {
      log.warn(
          "runtime '{}': {} {} (entry {}): {}{}",
          runtime,
          type,
          provider.name(),
          provider.id(),
          detail,
          subject,
          failure);
    } else if (loading ? log.isDebugEnabled() : log.isTraceEnabled()) {
      LifecycleEvent event = new LifecycleEvent(type, provider, count, detail + subject, failure);
      if (loading) {
        log.debug("runtime '{}': {}", runtime, event);
      } else {
        log.trace("runtime '{}': {}", runtime, event);
      }
    }
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
}
