package dev.protochain.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A call run on its own thread, so that a test can see it block and then see how it ends; counts
 * how many times it completed.
 *
 * <p>This class is thread-safe.
 */
final class Blocking<T> {

  private final Thread thread;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private final AtomicInteger completions = new AtomicInteger();

  private Blocking(String name, Callable<T> call) {
    thread =
        new Thread(
            () -> {
              try {
                T value = call.call();
                completions.incrementAndGet();
                result.complete(value);
              } catch (Throwable t) {
                completions.incrementAndGet();
                result.completeExceptionally(t);
              }
            },
            "test-blocking-" + name);
    thread.setDaemon(true);
  }

  /** Starts {@code call} and returns once it is blocked inside the JDK's waiting machinery. */
  static <T> Blocking<T> start(String name, Callable<T> call) throws InterruptedException {
    Blocking<T> b = new Blocking<>(name, call);
    b.thread.start();
    b.awaitBlocked();
    return b;
  }

  private void awaitBlocked() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (result.isDone()) {
        fail("call ended before it blocked: " + result);
      }
      for (StackTraceElement frame : thread.getStackTrace()) {
        String c = frame.getClassName();
        if (c.startsWith("sun.nio.ch.") || c.startsWith("java.util.concurrent.locks.")) {
          Thread.sleep(50); // let it settle inside the wait
          return;
        }
      }
      Thread.sleep(5);
    }
    fail(
        "call did not block within 5 s: "
            + thread
            + " at "
            + java.util.Arrays.toString(thread.getStackTrace()));
  }

  /** Waits for the call to fail and returns what it threw; fails if it returned. */
  Throwable failure() throws InterruptedException {
    try {
      T value = result.get(5, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      thread.join(5000);
      assertEquals(1, completions.get(), "completions of the blocked call");
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("blocked call did not end within 5 s", e);
    }
  }

  /** Waits for the call to return and returns its value. */
  T value() throws Exception {
    T value = result.get(5, TimeUnit.SECONDS);
    thread.join(5000);
    assertEquals(1, completions.get(), "completions of the blocked call");
    return value;
  }

  boolean isDone() {
    return result.isDone();
  }

  void assertStillBlocked() {
    assertTrue(!result.isDone(), () -> "expected the call to still block, it ended: " + result);
  }
}
