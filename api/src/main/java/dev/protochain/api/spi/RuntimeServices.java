package dev.protochain.api.spi;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

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

  /**
   * Returns the factory every thread a provider starts must come from (timers, deferred closes,
   * drain watchdogs), the one an application set with the runtime's builder. By default it makes
   * virtual threads where the running JDK has them (21 and later) and daemon platform threads
   * otherwise; either way its threads are daemon threads. A provider names the threads it makes
   * ({@code protochain-...}) and never assumes which kind it gets.
   *
   * <p>The factory is thread-safe: any thread may call it at any time.
   */
  ThreadFactory threadFactory();
}
