package dev.protochain.api.spi;

import java.time.Clock;
import java.util.Optional;

/**
 * Services a runtime offers its providers [Winsock's upcall table]. The runtime hands the same
 * object to every provider, down the whole chain.
 *
 * <p>Implementations are thread-safe.
 */
public interface RuntimeServices {

  /** Returns the name of the runtime, for logs and thread names. */
  String runtimeName();

  /** Returns the clock providers should read time from. */
  Clock clock();

  /**
   * Returns an object the application registered with the runtime under {@code type} (a metrics
   * registry, say), if any.
   */
  <T> Optional<T> find(Class<T> type);
}
