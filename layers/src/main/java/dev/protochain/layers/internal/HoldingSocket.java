package dev.protochain.layers.internal;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ForwardingSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A stream socket that holds what is sent until its buffer is full, a delay passes, the application
 * flushes, shuts its output down or closes: the skeleton of {@code coalesce} and {@code deflate},
 * which differ only in what they hold and how they send it.
 *
 * <p>Sends, flushes and the close run under one lock, so held bytes leave in order. Neither a
 * receive nor {@link #close} waits for that lock and {@link #abort()} never takes it, so a send
 * blocked in the socket below can always be ended. A receive never sends: a send may block until
 * the peer reads while the peer is blocked sending to us and waits for this very receive, so a
 * receive only {@linkplain #requestFlush() asks} the layer's thread to send what is held.
 *
 * <p>Closing: linger 0 drops what is held and resets; linger above 0 sends it before the close
 * returns; linger off returns at once and the layer's thread sends it when the delay passes or, at
 * the latest, the layer's final cleanup drains it ({@link AbstractLayer.Lingering}).
 */
public abstract class HoldingSocket extends ForwardingSocket implements AbstractLayer.Lingering {

  /**
   * What the sockets of one load share: the layer's thread (or {@code null}), the longest time a
   * byte is held ({@link Duration#ZERO}: no timed send), the layer's lingering set, and a name for
   * messages.
   */
  public record Owner(
      ScheduledExecutorService timer,
      Duration delay,
      Consumer<AbstractLayer.Lingering> linger,
      Consumer<AbstractLayer.Lingering> unlinger,
      String describe) {}

  private enum State {
    OPEN,
    CLOSING,
    CLOSED
  }

  private final Owner owner;
  private final ReentrantLock sendLock = new ReentrantLock();
  private final AtomicBoolean flushRequested = new AtomicBoolean();
  private volatile State state = State.OPEN;
  private volatile boolean connected;
  private volatile int heldBytes;
  private volatile IOException asyncFailure;
  private ScheduledFuture<?> scheduled; // guarded by sendLock

  protected HoldingSocket(Owner owner, ChainSocket below, boolean connected) {
    super(below);
    this.owner = owner;
    this.connected = connected;
  }

  /* ---- what a holding socket holds, and how it sends it: all called under the send lock ---- */

  /** Moves as much of {@code src} as fits into what is held; returns how many bytes it took. */
  protected abstract int hold(ByteBuffer src);

  /** Returns whether nothing more fits. */
  protected abstract boolean full();

  /**
   * Sends all that is held to the socket below, telling {@link #heldNow} what is left as it goes
   * and at the end; on an exception what was not sent stays held.
   */
  protected abstract void sendHeld() throws IOException;

  /** Forgets what is held (an abortive close). */
  protected abstract void dropHeld();

  /** Returns whether {@code src} goes straight below, past an empty buffer; by default never. */
  protected boolean passesThrough(ByteBuffer src) {
    return false;
  }

  /** Returns whether a send that does not fill the buffer may stay held; by default always. */
  protected boolean holdsUnfilled() {
    return true;
  }

  /** Frees what the output side owns once it is closed for good; by default nothing. */
  protected void outputClosed() {}

  /** Records how many bytes are held now, for {@link #pendingBytes()}. */
  protected final void heldNow(int bytes) {
    heldBytes = bytes;
  }

  /** Returns whether the socket is connected (only then are bytes held or transformed). */
  protected final boolean connected() {
    return connected;
  }

  /** Returns whether neither a close nor an abort has begun. */
  protected final boolean open() {
    return state == State.OPEN;
  }

  /**
   * Returns what this socket's messages call its layer, such as {@code layer 'deflate' (entry
   * 2001)}.
   */
  protected final String describe() {
    return owner.describe();
  }

  /* ---- the socket ---- */

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    super.connect(remote, timeout);
    connected = true;
  }

  @Override
  public final int send(ByteBuffer src) throws IOException {
    sendLock.lock();
    try {
      checkOpen();
      // Bytes are held only for a connected socket: the socket below says why any other send fails.
      if (!connected || (heldBytes == 0 && passesThrough(src))) {
        return below().send(src);
      }
      if (!src.hasRemaining()) {
        return 0;
      }
      int n = hold(src);
      heldBytes += n;
      if (full() || !holdsUnfilled()) {
        flushHeld();
      } else if (scheduled == null) {
        schedule();
      }
      return n;
    } finally {
      sendLock.unlock();
    }
  }

  @Override
  public final void flush() throws IOException {
    sendFlushed();
    below().flush();
  }

  @Override
  public final void shutdownOutput() throws IOException {
    sendFlushed();
    below().shutdownOutput();
  }

  private void sendFlushed() throws IOException {
    sendLock.lock();
    try {
      checkOpen();
      flushHeld();
    } finally {
      sendLock.unlock();
    }
  }

  /**
   * Asks the layer's thread to send what is held now, for a receive about to wait on the peer; at
   * most one such request is pending. Never blocks and never sends.
   */
  protected final void requestFlush() {
    ScheduledExecutorService timer = owner.timer();
    if (heldBytes == 0
        || state != State.OPEN
        || timer == null
        || !flushRequested.compareAndSet(false, true)) {
      return;
    }
    try {
      timer.execute(this::requestedFlush);
    } catch (RejectedExecutionException unloading) {
      flushRequested.set(false); // the layer is unloading; its drain delivers what is held
    }
  }

  private void requestedFlush() {
    sendLock.lock();
    try {
      flushRequested.set(false);
      if (state == State.OPEN) {
        flushHeld();
      }
    } catch (IOException | RuntimeException e) {
      asyncFailure = e instanceof IOException io ? io : new IOException(e);
    } finally {
      sendLock.unlock();
    }
  }

  @Override
  public boolean isOpen() {
    return state == State.OPEN && below().isOpen();
  }

  @Override
  public void close() throws IOException {
    if (!sendLock.tryLock()) {
      // Another thread is sending, perhaps blocked below: close below at once so that it fails,
      // as a TCP close does to a blocked writer. What is held is dropped with the connection.
      if (state == State.OPEN) {
        state = State.CLOSED;
        below().close();
      }
      return;
    }
    try {
      if (state != State.OPEN) {
        return;
      }
      int linger = Sockets.lingerSeconds(below());
      if (linger == 0 || heldBytes == 0) {
        discardHeld(); // linger 0: the close is abortive and drops what is held
        state = State.CLOSED;
        outputClosed();
        below().close();
      } else if (linger > 0) {
        state = State.CLOSED;
        try {
          flushHeld();
        } finally {
          outputClosed();
          below().close();
        }
      } else {
        // Linger off: return at once, deliver later (the delay, or the final cleanup's drain).
        state = State.CLOSING;
        owner.linger().accept(this);
        if (scheduled == null) {
          schedule();
        }
      }
    } finally {
      sendLock.unlock();
    }
  }

  /* ---- Lingering: the rest of a deferred close ---- */

  @Override
  public final long pendingBytes() {
    return heldBytes;
  }

  @Override
  public final void finish() throws IOException {
    sendLock.lock();
    try {
      if (state != State.CLOSING) {
        return;
      }
      try {
        flushHeld();
      } finally {
        state = State.CLOSED;
        owner.unlinger().accept(this);
        outputClosed();
        below().close();
      }
    } finally {
      sendLock.unlock();
    }
  }

  @Override
  public final void abort() {
    // Never takes the lock: a finish blocked below must be ended. What the output side owns is
    // left to its cleaner, since a sender may still use it.
    state = State.CLOSED;
    owner.unlinger().accept(this);
    Sockets.reset(below());
  }

  /* ---- internals, under sendLock ---- */

  private void checkOpen() throws IOException {
    if (state != State.OPEN) {
      throw new ClosedChannelException();
    }
    IOException failure = asyncFailure;
    if (failure != null) {
      asyncFailure = null;
      throw new SocketException(
          "a delayed send of the bytes held by " + owner.describe() + " failed: " + failure);
    }
  }

  private void flushHeld() throws IOException {
    cancelScheduled();
    if (heldBytes > 0) {
      sendHeld();
    }
  }

  private void discardHeld() {
    cancelScheduled();
    dropHeld();
    heldBytes = 0;
  }

  private void schedule() {
    ScheduledExecutorService timer = owner.timer();
    if (timer == null || owner.delay().isZero()) {
      return; // no delay: held until full, a flush or a close
    }
    try {
      scheduled = timer.schedule(this::delayedFlush, owner.delay().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException unloading) {
      scheduled = null; // the layer is unloading; its drain delivers what is held
    }
  }

  private void cancelScheduled() {
    if (scheduled != null) {
      scheduled.cancel(false);
      scheduled = null;
    }
  }

  private void delayedFlush() {
    sendLock.lock();
    try {
      scheduled = null;
      if (state == State.CLOSING) {
        finish();
      } else if (state == State.OPEN) {
        flushHeld();
      }
    } catch (IOException | RuntimeException e) {
      if (state == State.OPEN) {
        asyncFailure = e instanceof IOException io ? io : new IOException(e);
      } else {
        abort();
      }
    } finally {
      sendLock.unlock();
    }
  }

  /** Returns {@code CoalesceSocket[OPEN, 12 held] -> ...}. */
  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + state + ", " + heldBytes + " held] -> " + below();
  }
}
