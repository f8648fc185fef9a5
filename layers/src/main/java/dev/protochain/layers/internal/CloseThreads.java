package dev.protochain.layers.internal;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
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

  /** The most platform threads a load runs closes on, where the JDK has no virtual threads. */
  static final int PLATFORM_THREADS = 16;

  private CloseThreads() {}

  /** Returns a new executor whose threads are named {@code name}. */
  static ExecutorService start(String name) {
    ThreadFactory virtual = virtualThreads(name);
    if (virtual != null) {
      try {
        Method perTask = Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class);
        return (ExecutorService) perTask.invoke(null, virtual);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // a JDK with virtual threads has this method too; fall back all the same
      }
    }
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            PLATFORM_THREADS,
            PLATFORM_THREADS,
            1,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            LayerTimer.daemon(name, null));
    pool.allowCoreThreadTimeOut(true); // no thread while no close runs
    return pool;
  }

  /** Returns {@code Thread.ofVirtual().name(name).factory()}, or null before JDK 21. */
  private static ThreadFactory virtualThreads(String name) {
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Class<?> type = Class.forName("java.lang.Thread$Builder");
      builder = type.getMethod("name", String.class).invoke(builder, name);
      return (ThreadFactory) type.getMethod("factory").invoke(builder);
    } catch (ReflectiveOperationException | RuntimeException noVirtualThreads) {
      return null;
    }
  }
}
