package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.runtime.LifecycleEvent;
import dev.protochain.runtime.ProviderSource;
import java.time.Instant;
import java.util.List;

/** What a {@link ProviderSlot} needs from its runtime, and nothing more. */
interface SlotHost {

  /** Returns where providers are found. */
  ProviderSource source();

  /** Returns the runtime's one services object, handed to every provider. */
  Contexts.Services services();

  /** Returns when a final cleanup starting now must stop delivering what sockets hold. */
  Instant drainDeadline();

  /** Closes every open chain socket passing through {@code entryId}, adding the failures. */
  void abortSockets(int entryId, String provider, List<Throwable> failures);

  /** Tells the log and the listeners; the detail is {@code detail + subject}. */
  void emit(
      LifecycleEvent.Type type,
      CatalogEntry provider,
      int count,
      String detail,
      Object subject,
      Throwable failure);
}
