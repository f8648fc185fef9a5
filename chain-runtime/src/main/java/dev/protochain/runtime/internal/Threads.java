package dev.protochain.runtime.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where every thread a runtime starts comes from: the factory an application sets, or by default
 * virtual threads where the running JDK has them (21 and later, looked up at run time, since the
 * build targets 17) and daemon platform threads otherwise.
 *
 * <p>This class is stateless; the factories it returns are thread-safe.
 */
public final class Threads {

  private Threads() {}

  /**
   * Returns the default factory of runtime {@code runtimeName}: virtual threads where the JDK has
   * them, daemon platform threads otherwise, named {@code protochain-RUNTIME-N} until their user
   * renames them.
   */
  public static ThreadFactory byDefault(String runtimeName) {
    ThreadFactory virtual = virtualThreads(prefix(runtimeName));
    return virtual != null ? virtual : platform(runtimeName);
  }

  /**
   * Returns a factory of daemon platform threads for runtime {@code runtimeName}, named {@code
   * protochain-RUNTIME-N}: the default before JDK 21, and the choice of a runtime whose threads
   * each block on one socket and must wake at once (a relay), where a virtual thread's wake-up goes
   * through the JDK's poller and a carrier first.
   */
  public static ThreadFactory platform(String runtimeName) {
    String prefix = prefix(runtimeName);
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static String prefix(String runtimeName) {
    return "protochain-" + runtimeName + "-";
  }

  /**
   * Returns {@code given} made safe for the runtime: each thread it makes is a daemon thread (no
   * protochain thread keeps a JVM alive), and a factory that refuses a thread is named.
   */
  static ThreadFactory forRuntime(ThreadFactory given, String runtimeName) {
    return new ThreadFactory() {
      @Override
      public Thread newThread(Runnable task) {
        Thread t = given.newThread(task);
        if (t == null) {
          throw new RejectedExecutionException(
              "the thread factory of runtime '"
                  + runtimeName
                  + "' ("
                  + given
                  + ") made no thread; set one that does with"
                  + " ChainRuntime.builder().threadFactory(...)");
        }
        if (!t.isDaemon()) {
          t.setDaemon(true);
        }
        return t;
      }

      @Override
      public String toString() {
        return given.toString();
      }
    };
  }

  /** Returns {@code Thread.ofVirtual().name(prefix, 1).factory()}, or null before JDK 21. */
  private static ThreadFactory virtualThreads(String prefix) {
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Class<?> type = Class.forName("java.lang.Thread$Builder");
      builder = type.getMethod("name", String.class, long.class).invoke(builder, prefix, 1L);
      return (ThreadFactory) type.getMethod("factory").invoke(builder);
    } catch (ReflectiveOperationException | RuntimeException noVirtualThreads) {
      return null; // JDK 17 to 20 (on 19 and 20 a preview: refused without --enable-preview)
    }
  }
}
