package dev.protochain.layers.internal;

import dev.protochain.api.spi.ProviderContext;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads of a {@link LayerTimer} that run the deferred rest of closes ({@link
 * LingeringClose}), each of which may wait for its peer (up to 2 s for tls): a virtual thread per
 * close where the running JDK has them (21 and later, looked up at run time, since the build
 * targets 17), otherwise a pool of at most {@link #PLATFORM_THREADS} platform threads that end when
 * idle, later closes waiting in line. Either way, thousands of connections closing at once do not
 * start a platform thread each.
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
