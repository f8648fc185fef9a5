package dev.protochain.layers.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.ProviderContext;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one scheduler thread a layer runs per load, from the runtime's thread factory, started at
 * load and stopped at unload.
 */
public final class LayerTimer {

  private static final long STOP_SECONDS = 10;

  private LayerTimer() {}

  /** Starts the thread {@code protochain-LAYER-ENTRYNAME}. */
  public static ScheduledExecutorService start(String layer, ProviderContext context) {
    return Executors.newSingleThreadScheduledExecutor(
        LayerThreads.named(context, "protochain-" + layer + "-" + context.entry().name()));
  }

  /**
   * Stops {@code timer} (nothing when {@code null}) and waits for its thread to end, so that an
   * unloaded layer leaves no thread behind.
   *
   * @throws IOException if the thread does not end within 10 seconds, or the wait is interrupted
   */
  public static void stop(ScheduledExecutorService timer, String layer, CatalogEntry entry)
      throws IOException {
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(STOP_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException(
            "the "
                + layer
                + " timer thread of "
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
