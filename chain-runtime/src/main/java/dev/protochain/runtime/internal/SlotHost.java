package dev.protochain.runtime.internal;

import dev.protochain.runtime.ProviderSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * What a {@link ProviderSlot} needs from its runtime, and nothing more.
 *
 * @param source where providers are found
 * @param services the runtime's one services object, handed to every provider
 * @param clock the runtime's clock
 * @param drainTimeout the bound on a final cleanup's delivery of what sockets hold
 * @param sockets the open chain sockets, which a final cleanup closes
 * @param log where lifecycle events go
 */
record SlotHost(
    ProviderSource source,
    Contexts.Services services,
    Clock clock,
    Duration drainTimeout,
    OpenSockets sockets,
    LifecycleLog log) {

  /** Returns when a final cleanup starting now must stop delivering what sockets hold. */
  Instant drainDeadline() {
    return Instant.now(clock).plus(drainTimeout);
  }
}
