package dev.protochain.layers.coalesce;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ForwardingSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stream socket holding small writes in one buffer of {@code threshold} bytes. Sends, flushes
 * and the close run under one lock, so held bytes leave in order. Neither {@link #receive} nor
 * {@link #close} waits for that lock and {@link #abort()} never takes it, so a send blocked in the
 * socket below can always be ended; a receive never sends, but asks the layer's thread to.
 */
final class CoalesceSocket extends ForwardingSocket implements AbstractLayer.Lingering {

  private enum State { OPEN, CLOSING, CLOSED }

  private final CoalesceLayer layer;
  private final ByteBuffer held;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile State state = State.OPEN;
  private volatile int heldBytes;
  private volatile IOException asyncFailure;
  private volatile boolean connected;
  private final AtomicBoolean flushRequested = new AtomicBoolean();
  private ScheduledFuture<?> scheduled; // guarded by lock

  CoalesceSocket(CoalesceLayer layer, ChainSocket below, boolean connected) {
    super(below);
    this.layer = layer;
    this.held = ByteBuffer.allocate(layer.threshold());
    this.connected = connected;
  }

  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    return new CoalesceSocket(layer, acceptedBelow, true);
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    super.connect(remote, timeout);
    connected = true;
  }

  @Override
  public int send(ByteBuffer src) throws IOException {
    lock.lock();
    try {
      checkOpen();
      // Bytes are held only for a connected socket: the socket below says why any other send fails.
      if (!connected || (held.position() == 0 && src.remaining() >= held.capacity())) {
        return below().send(src);
      }
      int n = Math.min(src.remaining(), held.remaining());
      int limit = src.limit();
      src.limit(src.position() + n);
      held.put(src);
      src.limit(limit);
      heldBytes = held.position();
      if (!held.hasRemaining()) {
        flushHeld();
      } else if (scheduled == null) {
        schedule();
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    // Never send here: a send may block until the peer reads, while the peer is blocked sending
    // to us and waits for this very receive. The layer's thread sends what is held instead.
    if (layer.flushOnReceive() && heldBytes > 0 && state == State.OPEN) {
      requestFlush();
    }
    return below().receive(dst);
  }

  /** Asks the layer's thread to send what is held now; at most one such request is pending. */
  private void requestFlush() {
    if (!flushRequested.compareAndSet(false, true)) {
      return;
    }
    try {
      layer.timer().execute(this::requestedFlush);
    } catch (RejectedExecutionException unloading) {
      flushRequested.set(false); // the layer is unloading; its drain delivers what is held
    }
  }

  private void requestedFlush() {
    lock.lock();
    try {
      flushRequested.set(false);
      if (state == State.OPEN) {
        flushHeld();
      }
    } catch (IOException e) {
      asyncFailure = e;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void flush() throws IOException {
    lock.lock();
    try {
      checkOpen();
      flushHeld();
    } finally {
      lock.unlock();
    }
    below().flush();
  }

  @Override
  public void shutdownOutput() throws IOException {
    lock.lock();
    try {
      checkOpen();
      flushHeld();
    } finally {
      lock.unlock();
    }
    below().shutdownOutput();
  }

  @Override
  public boolean isOpen() {
    return state == State.OPEN && below().isOpen();
  }

  @Override
  public void close() throws IOException {
    if (!lock.tryLock()) {
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
      int linger = lingerSeconds();
      if (linger == 0 || held.position() == 0) {
        discardHeld(); // linger 0: the close is abortive and drops what is held
        state = State.CLOSED;
        below().close();
      } else if (linger > 0) {
        state = State.CLOSED;
        try {
          flushHeld();
        } finally {
          below().close();
        }
      } else {
        // Linger off: return at once, deliver later (the delay, or the final cleanup's drain).
        state = State.CLOSING;
        layer.lingerClose(this);
        if (scheduled == null) {
          schedule();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private int lingerSeconds() {
    try {
      Integer linger = below().getOption(StandardSocketOptions.SO_LINGER);
      return linger == null ? -1 : linger;
    } catch (IOException | UnsupportedOperationException e) {
      return -1;
    }
  }

  /* ---- Lingering: the rest of a deferred close ---- */

  @Override
  public long pendingBytes() {
    return heldBytes;
  }

  @Override
  public void finish() throws IOException {
    lock.lock();
    try {
      if (state != State.CLOSING) {
        return;
      }
      try {
        flushHeld();
      } finally {
        state = State.CLOSED;
        layer.closed(this);
        below().close();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void abort() {
    state = State.CLOSED;
    layer.closed(this);
    try {
      below().setOption(StandardSocketOptions.SO_LINGER, 0);
    } catch (IOException | RuntimeException alreadyClosed) {
      // Closing below is what matters; a reset is the best effort.
    }
    try {
      below().close();
    } catch (IOException | RuntimeException e) {
      // Nothing more to do: the socket is gone either way.
    }
  }

  /* ---- internals, under lock ---- */

  private void checkOpen() throws IOException {
    if (state != State.OPEN) {
      throw new ClosedChannelException();
    }
    IOException failure = asyncFailure;
    if (failure != null) {
      asyncFailure = null;
      throw new SocketException("a delayed flush of coalesced bytes failed: " + failure);
    }
  }

  private void flushHeld() throws IOException {
    cancelScheduled();
    if (held.position() == 0) {
      return;
    }
    held.flip();
    try {
      while (held.hasRemaining()) {
        below().send(held);
        heldBytes = held.remaining();
      }
    } finally {
      held.compact();
      heldBytes = held.position();
    }
  }

  private void discardHeld() {
    cancelScheduled();
    held.clear();
    heldBytes = 0;
  }

  private void schedule() {
    ScheduledExecutorService timer = layer.timer();
    if (layer.delay().isZero()) {
      return; // delay 0: hold until threshold, flush or close
    }
    try {
      scheduled = timer.schedule(this::delayedFlush, layer.delay().toNanos(), TimeUnit.NANOSECONDS);
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
    lock.lock();
    try {
      scheduled = null;
      if (state == State.CLOSING) {
        finish();
      } else if (state == State.OPEN) {
        flushHeld();
      }
    } catch (IOException e) {
      if (state == State.CLOSING || state == State.CLOSED) {
        abort();
      } else {
        asyncFailure = e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Returns {@code CoalesceSocket[OPEN, 12 held] -> ...}. */
  @Override
  public String toString() {
    return "CoalesceSocket[" + state + ", " + heldBytes + " held] -> " + below();
  }
}
