package dev.protochain.runtime.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one case of a property or a fuzz test in a thread of its own and waits a bounded time for
 * it: a case that hangs fails with a dump of every thread instead of stalling the run. jqwik keeps
 * its own state in the thread running the property, so only the case, never jqwik, moves.
 */
public final class Bounded {

  private Bounded() {}

  /**
   * Returns what {@code task} returns, or rethrows what it throws.
   *
   * @throws AssertionError naming {@code what} with a thread dump if it runs longer than {@code
   *     bound}
   */
  public static <T> T call(Duration bound, String what, Callable<T> task) throws Exception {
    FutureTask<T> future = new FutureTask<>(task);
    Thread worker = new Thread(future, "bounded: " + what);
    worker.setDaemon(true); // a case stuck for good must not keep the test JVM alive
    worker.start();
    try {
      return future.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new AssertionError(cause);
    } catch (TimeoutException e) {
      String dump = threadDump();
      worker.interrupt();
      throw new AssertionError(
          what + " did not end within " + bound.toMillis() + " ms; thread dump:\n" + dump);
    }
  }

  /** Returns a dump of every live thread, with the locks each holds and waits for. */
  public static String threadDump() {
    StringBuilder dump = new StringBuilder();
    for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      dump.append(info);
    }
    return dump.toString();
  }
}
