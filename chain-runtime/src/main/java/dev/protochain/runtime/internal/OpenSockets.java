package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtochainException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open chain sockets of one runtime, so that a provider's final cleanup can close those passing
 * through it. Thread-safe.
 */
final class OpenSockets {

  private final Set<RealChainSocket> sockets = ConcurrentHashMap.newKeySet();

  RealChainSocket register(RealChainSocket socket) {
    sockets.add(socket);
    return socket;
  }

  void deregister(RealChainSocket socket) {
    sockets.remove(socket);
  }

  /** Returns how many chain sockets are open on each entry. */
  Map<CatalogEntry, Integer> byEntry() {
    Map<CatalogEntry, Integer> out = new HashMap<>();
    sockets.forEach(s -> out.merge(s.entry(), 1, Integer::sum));
    return out;
  }

  /**
   * Closes, as their linger option says, every open chain socket passing through {@code slot},
   * adding the failures to {@code failures}. All are marked first and closed second, so that an
   * operation woken by the close of its peer (an end of stream, say) already counts as aborted.
   */
  void abort(ProviderSlot slot, String provider, List<Throwable> failures) {
    List<RealChainSocket> doomed = new ArrayList<>();
    for (Iterator<RealChainSocket> it = sockets.iterator(); it.hasNext(); ) {
      RealChainSocket s = it.next();
      if (s.passesThrough(slot)) {
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
}
