package dev.protochain.api.spi;

import java.io.IOException;
import java.time.Instant;

/**
 * Code that implements the SPI: a {@link BaseProvider} over a real transport, or a {@link
 * LayeredProvider} over the next provider of a chain.
 *
 * <h2>Lifecycle (the one statement of the order; everything else links here)</h2>
 *
 * The runtime keeps one count per loaded provider [Winsock's per-process {@code WSPStartup} count]
 * and calls, for one provider entry:
 *
 * <ol>
 *   <li>on the startup that takes the count from 0 to 1: a new instance is made (in its plugin's
 *       class loader, by a Guice injector of its own holding its settings) and {@link #load} is
 *       called once;
 *   <li>on every startup: for a layer, the provider below is started first (bottom-up), then {@link
 *       #startup} runs, so a layer starts only over a running chain;
 *   <li>on every cleanup: {@link #cleanup} runs first, then the provider below is cleaned up
 *       (top-down), whether or not this one failed;
 *   <li>on the cleanup that takes the count from 1 to 0, before the cleanup passes down: the
 *       runtime closes the chain sockets that pass through this provider as their linger option
 *       says, which ends their pending operations with {@link
 *       dev.protochain.api.ProtochainException.Code#OPERATION_ABORTED}; then {@link #drain}
 *       finishes sending what sockets already closed still hold, bounded by a deadline; then {@link
 *       #unload} stops the provider's threads and frees what it holds; then the instance is dropped
 *       and its plugin class loader closed.
 * </ol>
 *
 * The runtime never calls an instance after {@link #unload}; a provider may answer any call that
 * still reaches it (a socket operation, say) with {@link
 * dev.protochain.api.ProtochainException.Code#OPERATION_ABORTED}. If {@link #load} throws, the
 * provider must have released what it acquired: the runtime calls nothing else on it. A startup
 * that fails at any step is rolled back: what it started below is cleaned up, top-down, and its
 * count is restored. The instance is never reused after {@link #unload}: the next startup loads a
 * fresh one, so static state is the only state that could survive, and providers must not keep any.
 *
 * <h2>Threads</h2>
 *
 * {@link #load}, {@link #drain} and {@link #unload} are never called concurrently with each other
 * or with {@link #startup}/{@link #cleanup}; {@link #startup}, {@link #cleanup} and the socket
 * operations may be called from any threads at once, so implementations must be thread-safe.
 *
 * <h2>Errors</h2>
 *
 * Hooks throw {@link IOException} for failures the caller can react to; the runtime reports them as
 * {@link dev.protochain.api.ProtochainException.Code#PROVIDER_FAILED_INIT} naming the entry, the
 * provider and the phase.
 */
public interface Provider {

  /**
   * Loads the provider: reads its settings and acquires what every startup will share. Called once
   * per instance, before anything else.
   */
  void load(ProviderContext context) throws IOException;

  /** Prepares for one more startup; called after the provider below, if any, is running. */
  default void startup(StartupContext context) throws IOException {}

  /** Undoes one {@link #startup}; called before the provider below, if any, is cleaned up. */
  default void cleanup(StartupContext context) throws IOException {}

  /**
   * Finishes sending what sockets that were closed gracefully still hold (a layer into the provider
   * below, a base onto the wire), giving up at {@code deadline}, and closes them.
   *
   * @return how many bytes could not be delivered before the deadline
   */
  default long drain(Instant deadline) throws IOException {
    return 0;
  }

  /** Stops every thread the provider started and frees what it holds; the last call it gets. */
  void unload() throws IOException;
}
