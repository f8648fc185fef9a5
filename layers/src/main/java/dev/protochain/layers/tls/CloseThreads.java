package dev.protochain.layers.tls;

import dev.protochain.api.spi.ProviderContext;
import dev.protochain.layers.internal.LayerThreads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads that run deferred graceful closes, each of which may wait up to {@link
 * TlsSocket#CLOSE_WAIT} for its peer, all from the runtime's thread factory: a thread per
 * concurrent close where the factory makes virtual threads, otherwise a pool of at most {@link
 * #PLATFORM_THREADS} platform threads, later closes waiting in line. Either way threads end when
 * idle, and thousands of connections closing at once do not start a platform thread each.
 */
final class CloseThreads {

  /** The most platform threads a load runs closes on, where the factory makes platform threads. */
  static final int PLATFORM_THREADS = 16;

  private CloseThreads() {}

  /** Returns a new executor of the runtime's threads of {@code context}, named {@code name}. */
  static ExecutorService start(ProviderContext context, String name) {
    ThreadFactory threads = LayerThreads.named(context, name);
    ThreadPoolExecutor pool =
        LayerThreads.makesVirtual(threads)
            ? new ThreadPoolExecutor(
                0, Integer.MAX_VALUE, 1, TimeUnit.SECONDS, new SynchronousQueue<>(), threads)
            : new ThreadPoolExecutor(
                PLATFORM_THREADS,
                PLATFORM_THREADS,
                1,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                threads);
    pool.allowCoreThreadTimeOut(true); // no thread while no close runs
    return pool;
  }
}
