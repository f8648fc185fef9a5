package dev.protochain.api.spi;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Settings;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A skeletal {@link LayeredProvider}: it keeps the load context, and it implements {@link #drain}
 * for sockets the application closed while the layer still held bytes.
 *
 * <p>A subclass implements {@link #wrap} and, where it holds resources, {@link #onLoad} and {@link
 * #onUnload}. A socket that defers part of its graceful close registers a {@link Lingering} with
 * {@link #linger} and removes it with {@link #unlinger} once done; at the final cleanup {@link
 * #drain} finishes each one, and aborts those still unfinished at the deadline.
 *
 * <p>This class is thread-safe.
 */
public abstract class AbstractLayer implements LayeredProvider {

  /**
   * The rest of a graceful close a layer's socket deferred: bytes it still holds for the socket
   * below, and the close of that socket.
   */
  public interface Lingering {

    /** Returns how many bytes are still held. */
    long pendingBytes();

    /** Sends what is held into the socket below and closes it; blocks until done. */
    void finish() throws IOException;

    /**
     * Drops what is held and closes the socket below abortively; callable from any thread, at any
     * time, more than once. A {@link #finish} running concurrently fails.
     */
    void abort();
  }

  private volatile ProviderContext context;
  private final Set<Lingering> lingering = ConcurrentHashMap.newKeySet();

  /** Creates the layer; a public no-argument constructor is what the runtime calls. */
  protected AbstractLayer() {}

  @Override
  public final void load(ProviderContext context) throws IOException {
    this.context = context;
    onLoad(context);
  }

  /** Acquires what the layer shares between startups; reads its settings. Default: nothing. */
  protected void onLoad(ProviderContext context) throws IOException {}

  @Override
  public final void unload() throws IOException {
    try {
      onUnload();
    } finally {
      for (Lingering l : lingering) {
        l.abort();
      }
      lingering.clear();
    }
  }

  /** Stops the layer's threads and frees what it holds. Default: nothing. */
  protected void onUnload() throws IOException {}

  /**
   * Returns the context given at load.
   *
   * @throws IllegalStateException if the layer is not loaded
   */
  protected final ProviderContext context() {
    ProviderContext c = context;
    if (c == null) {
      throw new IllegalStateException("layer " + getClass().getName() + " is not loaded");
    }
    return c;
  }

  /**
   * Returns how messages name the layer: {@code layer 'deflate' (entry 2001)}, what a {@link
   * HandshakeSocket} or {@link FrameReader} takes as its {@code describe}.
   */
  protected final String layerLabel() {
    ProviderContext c = context();
    return "layer '" + c.entry().name() + "' (entry " + c.entry().id() + ")";
  }

  /** Returns the settings given at load. */
  protected final Settings settings() {
    return context().settings();
  }

  /**
   * Registers the deferred rest of a graceful close, to be finished at the latest by {@link
   * #drain}.
   */
  protected final void linger(Lingering l) {
    lingering.add(l);
  }

  /** Removes a finished or aborted {@link Lingering}; removing it twice is harmless. */
  protected final void unlinger(Lingering l) {
    lingering.remove(l);
  }

  /** Returns how many closed sockets still hold bytes. */
  protected final int lingeringCount() {
    return lingering.size();
  }

  /**
   * Finishes every lingering close in turn; at {@code deadline} a watchdog thread (from the
   * runtime's thread factory) aborts those still unfinished and counts what they held.
   */
  @Override
  public final long drain(Instant deadline) throws IOException {
    List<Lingering> todo = new ArrayList<>(lingering);
    if (todo.isEmpty()) {
      return 0;
    }
    Clock clock = context().services().clock();
    AtomicLong undelivered = new AtomicLong();
    Set<Lingering> unfinished = ConcurrentHashMap.newKeySet();
    unfinished.addAll(todo);
    Thread watchdog =
        context()
            .services()
            .threadFactory()
            .newThread(
                () -> {
                  try {
                    Duration left = Duration.between(clock.instant(), deadline);
                    if (!left.isNegative()) {
                      Thread.sleep(left.toMillis(), 0);
                    }
                  } catch (InterruptedException e) {
                    return; // drain finished in time
                  }
                  for (Lingering l : todo) {
                    if (unfinished.remove(l)) {
                      undelivered.addAndGet(l.pendingBytes());
                      l.abort();
                    }
                  }
                });
    watchdog.setName("protochain-drain-" + context().entry().name());
    watchdog.start();
    IOException failure = null;
    try {
      for (Lingering l : todo) {
        try {
          if (unfinished.contains(l)) {
            l.finish();
          }
        } catch (IOException e) {
          if (unfinished.remove(l)) { // failed on its own, not aborted by the watchdog
            undelivered.addAndGet(l.pendingBytes());
            l.abort();
            if (failure == null) {
              failure = e;
            } else {
              failure.addSuppressed(e);
            }
          }
        } finally {
          unfinished.remove(l);
          unlinger(l);
        }
      }
    } finally {
      watchdog.interrupt();
      try {
        watchdog.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failure != null) {
      throw failure;
    }
    return undelivered.get();
  }

  /**
   * Returns a socket of this layer over {@code below}; see {@link LayeredProvider#wrap}. Called for
   * every socket opened through the layer.
   */
  @Override
  public abstract ChainSocket wrap(ChainSocket below, StartupContext context) throws IOException;

  /** Returns the class name and, when loaded, the entry. */
  @Override
  public String toString() {
    ProviderContext c = context;
    return getClass().getSimpleName() + (c == null ? " (not loaded)" : " " + c.entry());
  }
}
