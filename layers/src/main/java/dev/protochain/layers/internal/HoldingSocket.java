package dev.protochain.layers.internal;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ForwardingSocket;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A stream socket that holds what is sent until its buffer is full, a delay passes, the application
 * flushes, shuts its output down or closes: the skeleton of {@code coalesce} and {@code deflate},
 * which differ only in what they hold and how they send it.
 *
 * <p>Sends, flushes and the close run under one lock, so held bytes leave in order. Neither a
 * receive nor {@link #close} waits for that lock and {@link LingeringClose#abort()} never takes it,
 * so a send blocked in the socket below can always be ended.
 *
 * <p>Timed sends run on the layer's {@link LayerTimer}: its timer thread only decides that bytes
 * are due and hands each due socket to a sender thread of its own, so a socket whose peer stops
 * reading delays no other socket's bytes. A socket keeps at most one timed send pending, which
 * stays armed across flushes rather than being cancelled and scheduled again at every send.
 *
 * <p>{@link #flushBeforeReceive()}, called by a receive about to wait on the peer, sends what is
 * held on the receiving thread itself when every held byte was sent by that same thread: that
 * thread was willing to block on sending those bytes, and would have without the layer, so sending
 * them now cannot block it where it would not have blocked anyway. Bytes other threads sent are
 * only handed to a sender thread: a thread that only receives must never wait on a send, since the
 * peer may be blocked sending to us and wait for this very receive (the deadlock a receive that
 * sent once caused).
 *
 * <p>Closing is the layer's {@link LingeringClose}, whose rest sends what is held: linger 0 drops
 * it and resets; linger above 0 sends it before the close returns, waiting at most the linger time,
 * then resets; linger off returns at once and a close thread of the layer sends it when the delay
 * passes or, at the latest, the layer's final cleanup drains it. A close may come from any thread,
 * at any time: the first one claims the socket and any other returns at once; when a send holds the
 * lock, the rest of the close is left to that thread, which runs it as it lets go of the lock, so
 * that no close ever cuts short a send under way and loses what it carries or what is held. A close
 * that finds nothing held and the lock free, most closes, just closes the socket below, which
 * applies the linger itself ({@link LingeringClose#closeIdle}).
 */
public abstract class HoldingSocket extends ForwardingSocket {

  /**
   * What the sockets of one load share: the longest time a byte is held ({@link Duration#ZERO}: no
   * timed send) and what their closes share, the layer's threads (or {@code null}) among it.
   */
  public record Owner(Duration delay, LingeringClose.Shared closes) {

    /**
     * Makes what the sockets of one load share: the layer's threads (or {@code null}), the longest
     * time a byte is held, the layer's lingering set, and a name for messages.
     */
    public Owner(
        LayerTimer timer,
        Duration delay,
        Consumer<AbstractLayer.Lingering> linger,
        Consumer<AbstractLayer.Lingering> unlinger,
        String describe) {
      this(delay, new LingeringClose.Shared(timer, linger, unlinger, Duration.ZERO, describe));
    }

    /** Returns the layer's threads, or {@code null}. */
    public LayerTimer timer() {
      return closes.threads();
    }

    /** Returns what messages call the layer. */
    public String describe() {
      return closes.describe();
    }
  }

  private static final VarHandle FLUSH_REQUESTED;
  private static final VarHandle CLOSE_PENDING;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      FLUSH_REQUESTED = lookup.findVarHandle(HoldingSocket.class, "flushRequested", boolean.class);
      CLOSE_PENDING = lookup.findVarHandle(HoldingSocket.class, "closePending", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Owner owner;
  private final ReentrantLock sendLock = new ReentrantLock();

  // Set through FLUSH_REQUESTED and CLOSE_PENDING: plain fields, not an AtomicBoolean each, since
  // every connection of a coalescing chain holds them for its life.
  @SuppressWarnings("UnusedVariable") // read only through FLUSH_REQUESTED
  private volatile boolean flushRequested;

  private final LingeringClose closing;
  private volatile boolean closePending;
  private volatile boolean connected;
  private volatile int heldBytes;
  private volatile IOException asyncFailure;
  // Guarded by sendLock:
  private long heldSince; // System.nanoTime() when the oldest byte held was taken
  private Thread holder; // the one thread whose sends are held, or null when several
  private boolean timerArmed; // a timed send is pending

  protected HoldingSocket(Owner owner, ChainSocket below, boolean connected) {
    super(below);
    this.owner = owner;
    this.connected = connected;
    this.closing =
        new LingeringClose(
            sendLock,
            below,
            owner.closes(),
            new LingeringClose.Rest() {
              @Override
              public long pendingBytes() {
                return heldBytes;
              }

              @Override
              public void sendRest() throws IOException {
                flushHeld();
              }

              @Override
              public void outputClosed() {
                HoldingSocket.this.outputClosed();
              }

              @Override
              public void unlocked() {
                runPendingCloseQuietly();
              }
            });
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

  /** Records how many bytes are held now, for {@link LingeringClose.Rest#pendingBytes()}. */
  protected final void heldNow(int bytes) {
    heldBytes = bytes;
  }

  /** Returns whether the socket is connected (only then are bytes held or transformed). */
  protected final boolean connected() {
    return connected;
  }

  /** Returns whether neither a close nor an abort has begun. */
  protected final boolean open() {
    return closing.open();
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
    below().connect(remote, timeout); // not super's: one frame fewer while the connect parks
    connected = true;
  }

  @Override
  @SuppressWarnings("NonAtomicVolatileUpdate") // heldBytes is written under sendLock only
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
      Thread me = Thread.currentThread();
      if (heldBytes == 0) {
        heldSince = System.nanoTime();
        holder = me;
      } else if (holder != me) {
        holder = null;
      }
      int n = hold(src);
      heldBytes += n;
      if (full() || !holdsUnfilled()) {
        flushHeld();
      } else {
        armTimer();
      }
      return n;
    } finally {
      unlock();
    }
  }

  @Override
  public final void flush() throws IOException {
    sendLock.lock();
    try {
      checkOpen();
      flushHeld();
      below().flush(); // under the lock, so that a close arriving meanwhile waits for it
    } finally {
      unlock();
    }
  }

  @Override
  public final void shutdownOutput() throws IOException {
    sendLock.lock();
    try {
      checkOpen();
      flushHeld();
      below().shutdownOutput();
    } finally {
      unlock();
    }
  }

  /**
   * Sends what is held before a receive waits on the peer, so that a request leaves before its
   * reply is awaited: on the receiving thread itself when that thread sent every byte held and the
   * send lock is free, otherwise on a sender thread of the layer (at most one such request
   * pending). A failure of the send is reported by the next send.
   */
  protected final void flushBeforeReceive() {
    if (heldBytes == 0 || !closing.open()) {
      return;
    }
    if (sendLock.tryLock()) {
      try {
        if (holder == Thread.currentThread() && closing.open()) {
          flushHeld();
          return;
        }
      } catch (IOException | RuntimeException e) {
        asyncFailure = e instanceof IOException io ? io : new IOException(e);
        return;
      } finally {
        unlock();
      }
    }
    requestFlush();
  }

  private void requestFlush() {
    LayerTimer timer = owner.timer();
    if (heldBytes == 0
        || !closing.open()
        || timer == null
        || !FLUSH_REQUESTED.compareAndSet(this, false, true)) {
      return;
    }
    if (!timer.execute(this::requestedFlush)) {
      flushRequested = false; // the layer is unloading; its drain delivers what is held
    }
  }

  private void requestedFlush() {
    if (!lockForSender()) {
      flushRequested = false;
      return;
    }
    try {
      flushRequested = false;
      if (closing.open()) {
        flushHeld();
      }
    } catch (IOException | RuntimeException e) {
      asyncFailure = e instanceof IOException io ? io : new IOException(e);
    } finally {
      unlock();
    }
  }

  @Override
  public boolean isOpen() {
    return closing.open() && below().isOpen();
  }

  @Override
  public void close() throws IOException {
    // Nothing held and no send under way, the common close: whatever the linger, all that is left
    // is the close below, which applies it. Not reading the linger saves a call down the chain (a
    // system call at the base) and the registration with the layer's lingering set, every close.
    if (heldBytes == 0 && !sendLock.isHeldByCurrentThread() && sendLock.tryLock()) {
      try {
        if (heldBytes == 0) {
          closing.closeIdle();
          return;
        }
      } finally {
        unlock();
      }
    }
    int linger = Sockets.lingerSeconds(below());
    // The first close claims the socket; a close racing it, or after it, has nothing left to do.
    if (!closing.claim(linger)) {
      return;
    }
    if (linger == 0) {
      // Abortive: reset at once, which also ends a send blocked below; what is held is dropped
      // by whoever holds the send lock next.
      below().close();
    } else if (linger > 0) {
      closing.closeWithin(linger);
      return;
    }
    closePending = true;
    runPendingClose();
  }

  /**
   * Runs the rest of a close for the closing thread, or leaves it to the thread holding the send
   * lock, which runs it as it lets go ({@link #unlock}): a close never waits for a send, and never
   * ends one that is under way and so loses what it holds.
   */
  private void runPendingClose() throws IOException {
    while (closePending && !sendLock.isHeldByCurrentThread() && sendLock.tryLock()) {
      try {
        if (CLOSE_PENDING.compareAndSet(this, true, false)) {
          closeHeld();
        }
      } finally {
        sendLock.unlock();
      }
    }
  }

  /** The rest of a close, under the send lock; never blocks on a send. */
  private void closeHeld() throws IOException {
    if (closing.closing()) {
      if (heldBytes == 0) {
        closing.finish();
      } else if (!owner.delay().isZero()) {
        closing.defer(Math.max(0, dueIn())); // linger off: sent when the delay passes
      } // else held until the final cleanup's drain
    } else { // closed abortively, or aborted
      discardHeld();
      outputClosed();
      below().close();
    }
  }

  /**
   * Takes the send lock for a sender thread; returns {@code false} if the thread was interrupted
   * waiting, which is how the layer's unload ends a sender waiting behind a send blocked below.
   */
  private boolean lockForSender() {
    try {
      sendLock.lockInterruptibly();
      return true;
    } catch (InterruptedException unloading) {
      return false; // the final cleanup's drain delivers, or aborts, what is held
    }
  }

  /** Lets go of the send lock and runs a close that arrived meanwhile. */
  private void unlock() {
    sendLock.unlock();
    runPendingCloseQuietly();
  }

  private void runPendingCloseQuietly() {
    if (closePending) {
      try {
        runPendingClose();
      } catch (IOException | RuntimeException e) {
        closing.abort(); // the socket is closing; the close failed below: nothing more can be sent
      }
    }
  }

  /* ---- internals, under sendLock ---- */

  private void checkOpen() throws IOException {
    if (!closing.open()) {
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
    if (heldBytes > 0) {
      sendHeld();
    }
  }

  private void discardHeld() {
    dropHeld();
    heldBytes = 0;
  }

  /** Makes sure a timed send is pending for what is held, due {@code delay} after it was taken. */
  private void armTimer() {
    LayerTimer timer = owner.timer();
    if (timerArmed || timer == null || owner.delay().isZero()) {
      return; // pending already, or no delay: held until full, a flush or a close
    }
    timerArmed = timer.schedule(this::timerFired, Math.max(0, dueIn()));
    // Not armed: the layer is unloading, and its drain delivers what is held.
  }

  /** Nanoseconds until the oldest byte held is due; under sendLock. */
  private long dueIn() {
    return heldSince + owner.delay().toNanos() - System.nanoTime();
  }

  /**
   * On the timer thread, which must never block: hands the socket to a sender thread when its bytes
   * are due (or its lock is busy, to decide there), arms again when bytes held since are not due
   * yet, and otherwise lets the timer go.
   */
  private void timerFired() {
    boolean send = true;
    if (sendLock.tryLock()) {
      try {
        if (closing.open() && heldBytes > 0 && dueIn() > 0) {
          timerArmed = false;
          armTimer();
          send = false;
        } else if (!closing.open() || heldBytes == 0) { // a closing socket's close sends it
          timerArmed = false;
          send = false;
        }
      } finally {
        sendLock.unlock();
      }
    }
    if (send || closePending) {
      owner.timer().execute(this::timedSend); // it also runs a close that arrived meanwhile
    }
  }

  /** On a sender thread: sends what is due. */
  private void timedSend() {
    if (!lockForSender()) {
      return;
    }
    try {
      timerArmed = false;
      if (closing.open() && heldBytes > 0) {
        if (dueIn() <= 0) {
          flushHeld();
        } else {
          armTimer();
        }
      }
    } catch (IOException | RuntimeException e) {
      if (closing.open()) {
        asyncFailure = e instanceof IOException io ? io : new IOException(e);
      } else {
        closing.abort();
      }
    } finally {
      unlock();
    }
  }

  /** Returns {@code CoalesceSocket[OPEN, 12 held] -> ...}. */
  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + closing + ", " + heldBytes + " held] -> " + below();
  }
}
