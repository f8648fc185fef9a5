package dev.protochain.layers.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.ProviderContext;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads a layer runs per load, started at load and stopped at unload, and the one place where
 * a layer's threads are made: one timer thread that only decides when a socket's held bytes are
 * due, and never sends; sender threads that send them, each for one socket at a time, so that a
 * send blocked on one peer that stops reading delays no other socket; and {@link CloseThreads} for
 * the deferred rest of closes ({@link LingeringClose}). Threads are made as tasks need them; idle
 * ones end after a few seconds. Every thread comes from the runtime's thread factory.
 */
public final class LayerTimer {

  private static final long STOP_SECONDS = 10;
  private static final long IDLE_SECONDS = 5;

  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor senders;
  private final ExecutorService closers;

  private LayerTimer(String layer, ProviderContext context) {
    String name = "protochain-" + layer + "-" + context.entry().name();
    timer = new ScheduledThreadPoolExecutor(1, LayerThreads.named(context, name));
    AtomicInteger numbered = new AtomicInteger();
    ThreadFactory senderThreads = LayerThreads.named(context, name + "-send-");
    senders =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = senderThreads.newThread(r);
              t.setName(t.getName() + numbered.incrementAndGet());
              return t;
            });
    closers =
        CloseThreads.start(context, "protochain-" + layer + "-close-" + context.entry().name());
  }

  /**
   * Starts the threads of one load: the timer thread is {@code protochain-LAYER-ENTRYNAME}, its
   * sender threads {@code protochain-LAYER-ENTRYNAME-send-N}, its close threads {@code
   * protochain-LAYER-close-ENTRYNAME}.
   */
  public static LayerTimer start(String layer, ProviderContext context) {
    return new LayerTimer(layer, context);
  }

  /**
   * Runs {@code decide} on the timer thread after {@code nanos}; it must not block. Returns {@code
   * false} if the layer is unloading.
   */
  boolean schedule(Runnable decide, long nanos) {
    try {
      // Nothing waits on the future: the tasks catch and record their own failures.
      var unused = timer.schedule(decide, nanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (RejectedExecutionException unloading) {
      return false;
    }
  }

  /**
   * Runs {@code send} on a sender thread of its own. Returns {@code false} if the layer is
   * unloading.
   */
  boolean execute(Runnable send) {
    try {
      senders.execute(send);
      return true;
    } catch (RejectedExecutionException unloading) {
      return false;
    }
  }

  /**
   * Runs {@code close} on a close thread after {@code nanos} (at once for 0 or less). Returns
   * {@code false} if the layer is unloading.
   */
  boolean closeAfter(Runnable close, long nanos) {
    try {
      if (nanos <= 0) {
        closers.execute(close);
      } else {
        var unused = timer.schedule(() -> closeAfter(close, 0), nanos, TimeUnit.NANOSECONDS);
      }
      return true;
    } catch (RejectedExecutionException unloading) {
      return false;
    }
  }

  /**
   * Stops {@code timer}'s threads (nothing when {@code null}) and waits for them to end, so that an
   * unloaded layer leaves no thread behind.
   *
   * @throws IOException if they do not end within 10 seconds, or the wait is interrupted
   */
  public static void stop(LayerTimer timer, String layer, CatalogEntry entry) throws IOException {
    if (timer == null) {
      return;
    }
    timer.timer.shutdownNow();
    timer.senders.shutdownNow();
    timer.closers.shutdownNow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
    try {
      if (!timer.timer.awaitTermination(STOP_SECONDS, TimeUnit.SECONDS)
          || !timer.senders.awaitTermination(
              Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
          || !timer.closers.awaitTermination(
              Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IOException(
            "the "
                + layer
                + " timer, sender and close threads of "
                + entry
                + " did not stop within "
                + STOP_SECONDS
                + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping the " + layer + " timer of " + entry, e);
    }
  }
}
