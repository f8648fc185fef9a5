package dev.protochain.runtime;

/**
 * Observes the lifecycle of every provider of a runtime: startups, loads, cleanups, unloads and
 * failures, with entry ids and counts.
 *
 * <p>Events of one provider arrive in order, on the thread that caused them; a provider's {@code
 * LOAD} and {@code UNLOAD} events are delivered while its lifecycle lock is held, so a listener
 * must be quick and must not start up or clean up in the same runtime. A listener that throws is
 * logged and otherwise ignored: observing never changes the lifecycle.
 */
@FunctionalInterface
public interface LifecycleListener {

  /** Receives one event. */
  void onEvent(LifecycleEvent event);
}
