package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.runtime.LifecycleEvent;
import dev.protochain.runtime.LifecycleListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where one runtime tells its lifecycle: the log (failures and undelivered bytes as warnings, loads
 * and unloads at debug, the rest at trace) and the lifecycle listeners. Thread-safe.
 */
final class LifecycleLog {

  // The runtime's log category, as applications configure it.
  private static final Logger log = LoggerFactory.getLogger(RealChainRuntime.class);

  private final String runtime;
  private final List<LifecycleListener> listeners;

  LifecycleLog(String runtime, List<LifecycleListener> listeners) {
    this.runtime = runtime;
    this.listeners = List.copyOf(listeners);
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
