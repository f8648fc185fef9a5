package dev.protochain.layers.internal;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.AbstractLayer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The close of a layer's stream socket that may still have bytes to send when the application
 * closes it: one state machine for every such layer ({@code coalesce} and {@code deflate} through
 * {@link HoldingSocket}, {@code tls} for its close_notify). The socket supplies what remains to
 * send and what to wait for afterwards ({@link Rest}); this class decides, from the socket's linger
 * option, when that happens and on which thread:
 *
 * <ul>
 *   <li>linger 0: abortive, the socket below is closed (reset) at once and nothing is sent;
 *   <li>linger above 0: the rest runs before the close returns, waiting at most the linger time for
 *       the socket's lock, then resets ({@link #closeWithin});
 *   <li>linger off: the close returns at once, the rest is held as an {@link
 *       AbstractLayer.Lingering} of the layer and runs on a close thread of the layer's {@link
 *       LayerTimer} ({@link #defer}), or at the latest in the layer's final cleanup, which aborts
 *       what it cannot finish in time.
 * </ul>
 *
 * <p>The first close claims the socket ({@link #claim}); the rest runs at most once, under the
 * socket's lock. {@link #abort} never takes that lock, so a rest blocked below can always be ended.
 */
public final class LingeringClose implements AbstractLayer.Lingering {

  // Initialised at the first line logged, so that SLF4J (and its warning when the application has
  // no backend) stays untouched until there is something to say.
  private static final class Log {
    static final Logger log = LoggerFactory.getLogger(LingeringClose.class);
  }

  /** What the rest of a socket's close does; every method but {@link #pendingBytes} under lock. */
  public interface Rest {

    /** Returns how many bytes the rest of the close still has to send. */
    long pendingBytes();

    /** Sends what remains into the socket below; on an exception, what was not sent is pending. */
    void sendRest() throws IOException;

    /** After the rest was sent, waits at most {@code wait} for the peer; by default not at all. */
    default void awaitPeer(Duration wait) {}

    /** Frees what the output side owns once it is closed for good; by default nothing. */
    default void outputClosed() {}

    /** Runs after the close let go of the socket's lock; by default nothing. */
    default void unlocked() {}
  }

  /**
   * What the closes of one layer load share: the layer's threads (none: only the final cleanup runs
   * a deferred rest), its {@link AbstractLayer#linger} and {@link AbstractLayer#unlinger}, how long
   * a deferred rest waits for the peer, and the layer's name in messages. One per load, so that
   * each socket's close keeps only what is its own.
   */
  public record Shared(
      LayerTimer threads,
      Consumer<AbstractLayer.Lingering> linger,
      Consumer<AbstractLayer.Lingering> unlinger,
      Duration peerWait,
      String describe) {}

  private enum State {
    OPEN,
    CLOSING,
    CLOSED
  }

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(LingeringClose.class, "state", State.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ReentrantLock lock;
  private final ChainSocket below;
  private final Shared shared;
  private final Rest rest;
  // Set through STATE: a plain field, not an AtomicReference, since every connection of a holding
  // layer holds one for its life.
  private volatile State state = State.OPEN;

  /**
   * Creates the close of a socket over {@code below} whose sends and close run under {@code lock},
   * in the layer load that {@code shared} describes.
   */
  public LingeringClose(ReentrantLock lock, ChainSocket below, Shared shared, Rest rest) {
    this.lock = lock;
    this.below = below;
    this.shared = shared;
    this.rest = rest;
  }

  /** Returns whether no close has begun. */
  public boolean open() {
    return state == State.OPEN;
  }

  /** Returns whether a graceful close has begun and its rest has not ended. */
  public boolean closing() {
    return state == State.CLOSING;
  }

  /**
   * Claims the close for the calling thread, with the socket's {@code linger} seconds (-1: off):
   * linger 0 marks it closed, any other registers it with the layer, whose final cleanup finishes
   * it at the latest. Returns {@code false} when another close claimed it first: that close does
   * the rest.
   */
  public boolean claim(int lingerSeconds) {
    if (!STATE.compareAndSet(this, State.OPEN, lingerSeconds == 0 ? State.CLOSED : State.CLOSING)) {
      return false;
    }
    if (lingerSeconds != 0) {
      shared.linger().accept(this);
    }
    return true;
  }

  /**
   * Claims and ends, under the lock, the close of a socket with nothing left to send and whose rest
   * does not wait for the peer: whatever its linger, all that remains is the close below, which
   * applies the linger itself, so the close needs neither the linger nor the layer's lingering set.
   * Returns {@code false} when another close claimed the socket first: that close does the rest.
   */
  public boolean closeIdle() throws IOException {
    if (!STATE.compareAndSet(this, State.OPEN, State.CLOSED)) {
      return false;
    }
    rest.outputClosed();
    below.close();
    return true;
  }

  /** Linger above 0: waits up to {@code seconds} for the lock to run the rest, then resets. */
  public void closeWithin(int seconds) throws IOException {
    boolean locked;
    try {
      locked = lock.tryLock(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort();
      throw new InterruptedIOException(
          "interrupted while closing a socket of " + shared.describe() + "; it was reset");
    }
    if (!locked) {
      abort(); // the linger time passed behind a send blocked below: reset, as SO_LINGER does
      return;
    }
    try {
      finish(Duration.ofSeconds(seconds));
    } finally {
      unlock();
    }
  }

  /**
   * Linger off: runs the rest on a close thread of the layer after {@code nanos}; without threads,
   * or once the layer is unloading, the final cleanup finishes or aborts it.
   */
  public void defer(long nanos) {
    LayerTimer threads = shared.threads();
    if (threads != null && !threads.closeAfter(this::finishDeferred, nanos)) {
      abort(); // the layer is unloading: its sockets are closed abortively
    }
  }

  /** Ends a claimed close without sending anything more: closes the socket below. */
  public void closeNow() throws IOException {
    state = State.CLOSED;
    shared.unlinger().accept(this);
    below.close();
  }

  /** On a close thread; the lock is taken interruptibly, so that the layer's unload can end it. */
  private void finishDeferred() {
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException unloading) {
      return; // the final cleanup finishes, or aborts, the rest
    }
    try {
      finish(shared.peerWait());
    } catch (IOException | RuntimeException e) {
      // The application's close returned long ago; nobody is left to tell but the log.
      Log.log.debug(
          "{}: the deferred close of a socket over {} failed", shared.describe(), below, e);
      abort();
    } finally {
      unlock();
    }
  }

  /* ---- Lingering ---- */

  @Override
  public long pendingBytes() {
    return rest.pendingBytes();
  }

  @Override
  public void finish() throws IOException {
    lock.lock();
    try {
      finish(shared.peerWait());
    } finally {
      unlock();
    }
  }

  /** The rest of a graceful close, under the lock: sends, waits, closes below; runs once. */
  private void finish(Duration peerWait) throws IOException {
    if (state != State.CLOSING) {
      return;
    }
    try {
      rest.sendRest();
      rest.awaitPeer(peerWait);
    } finally {
      state = State.CLOSED;
      shared.unlinger().accept(this);
      rest.outputClosed();
      below.close();
    }
  }

  @Override
  public void abort() {
    // Never takes the lock: a rest blocked below must be ended. What the output side owns is left
    // to whoever holds the lock, since a sender may still use it.
    state = State.CLOSED;
    shared.unlinger().accept(this);
    Sockets.reset(below);
  }

  private void unlock() {
    lock.unlock();
    rest.unlocked();
  }

  /** Returns {@code OPEN}, {@code CLOSING} or {@code CLOSED}. */
  @Override
  public String toString() {
    return state.toString();
  }
}
