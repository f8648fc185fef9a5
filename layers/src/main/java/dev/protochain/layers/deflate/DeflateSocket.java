package dev.protochain.layers.deflate;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ForwardingSocket;
import java.io.IOException;
import java.net.ProtocolException;
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
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A stream socket compressing what it sends and inflating what it receives, frame by frame; see
 * {@link DeflateLayer} for the format.
 *
 * <p>The output side (held bytes, the deflater, frames written) is guarded by {@code sendLock},
 * the input side (the frame being read, the inflater, inflated bytes) by {@code receiveLock}.
 * Neither side waits for the other: a receive about to block asks the layer's thread to send what
 * is held rather than sending itself, and {@link #close} closes the socket below at once if a
 * sender holds the lock, so that a send blocked below can always be ended.
 */
final class DeflateSocket extends ForwardingSocket implements AbstractLayer.Lingering {

  private static final int HEADER = 5;
  private static final int STORED = 0x00;
  private static final int DEFLATED = 0x01;

  private enum State { OPEN, CLOSING, CLOSED }

  private final DeflateLayer layer;
  private final int maxFrame;
  private final ReentrantLock sendLock = new ReentrantLock();
  private final ReentrantLock receiveLock = new ReentrantLock();
  private volatile State state = State.OPEN;
  private volatile boolean connected;
  private volatile int heldBytes;
  private volatile IOException asyncFailure;
  private final AtomicBoolean flushRequested = new AtomicBoolean();

  // Output side, guarded by sendLock.
  private ByteBuffer held;
  private byte[] frame;
  private Deflater deflater;
  private boolean outputBroken;
  private ScheduledFuture<?> scheduled;

  // Input side, guarded by receiveLock.
  private ByteBuffer header;
  private ByteBuffer block;
  private byte[] inflated;
  private ByteBuffer plain;
  private Inflater inflater;
  private long framesRead;
  private boolean endOfStream;
  private ProtocolException inputFailure;

  DeflateSocket(DeflateLayer layer, ChainSocket below, boolean connected) {
    super(below);
    this.layer = layer;
    this.maxFrame = layer.maxFrame();
    this.connected = connected;
  }

  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    return new DeflateSocket(layer, acceptedBelow, true);
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    super.connect(remote, timeout);
    connected = true;
  }

  /* ---- output ---- */

  @Override
  public int send(ByteBuffer src) throws IOException {
    sendLock.lock();
    try {
      checkOpen();
      if (!connected) {
        return below().send(src); // the socket below says why a send fails here
      }
      if (!src.hasRemaining()) {
        return 0;
      }
      if (held == null) {
        held = ByteBuffer.allocate(maxFrame);
      }
      int n = Math.min(src.remaining(), held.remaining());
      int limit = src.limit();
      src.limit(src.position() + n);
      held.put(src);
      src.limit(limit);
      heldBytes = held.position();
      if (!held.hasRemaining() || layer.timer() == null) {
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
  public void flush() throws IOException {
    sendLock.lock();
    try {
      checkOpen();
      flushHeld();
    } finally {
      sendLock.unlock();
    }
    below().flush();
  }

  @Override
  public void shutdownOutput() throws IOException {
    sendLock.lock();
    try {
      checkOpen();
      flushHeld();
    } finally {
      sendLock.unlock();
    }
    below().shutdownOutput();
  }

  // Under sendLock.
  private void flushHeld() throws IOException {
    cancelScheduled();
    if (held == null || held.position() == 0) {
      return;
    }
    if (outputBroken) {
      throw new SocketException(layer.describe() + ": an earlier frame was cut short; the output is unusable");
    }
    int n = held.position();
    if (frame == null) {
      frame = new byte[HEADER + maxFrame];
      deflater = new Deflater(layer.level());
    }
    deflater.reset();
    deflater.setInput(held.array(), 0, n);
    deflater.finish();
    int packed = deflater.deflate(frame, HEADER, maxFrame);
    int length;
    int flags;
    if (deflater.finished() && packed < n) {
      length = packed;
      flags = DEFLATED;
    } else {
      System.arraycopy(held.array(), 0, frame, HEADER, n);
      length = n;
      flags = STORED;
    }
    frame[0] = (byte) (length >>> 24);
    frame[1] = (byte) (length >>> 16);
    frame[2] = (byte) (length >>> 8);
    frame[3] = (byte) length;
    frame[4] = (byte) flags;
    ByteBuffer out = ByteBuffer.wrap(frame, 0, HEADER + length);
    try {
      while (out.hasRemaining()) {
        below().send(out);
      }
    } catch (IOException | RuntimeException e) {
      outputBroken = out.position() > 0;
      throw e;
    }
    held.clear();
    heldBytes = 0;
  }

  private void checkOpen() throws IOException {
    if (state != State.OPEN) {
      throw new ClosedChannelException();
    }
    IOException failure = asyncFailure;
    if (failure != null) {
      asyncFailure = null;
      throw new SocketException("a delayed frame of " + layer.describe() + " failed: " + failure);
    }
  }

  private void schedule() {
    ScheduledExecutorService timer = layer.timer();
    try {
      scheduled = timer.schedule(this::delayedFlush, layer.delay().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException unloading) {
      scheduled = null; // the layer is unloading; its drain sends what is held
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
        asyncFailure = e instanceof IOException ? (IOException) e : new IOException(e);
      } else {
        abort();
      }
    } finally {
      sendLock.unlock();
    }
  }

  /* ---- input ---- */

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    if (!connected) {
      return below().receive(dst); // the socket below says why a receive fails here
    }
    receiveLock.lock();
    try {
      if (state != State.OPEN) {
        throw new ClosedChannelException();
      }
      if (inputFailure != null) {
        throw new ProtocolException(inputFailure.getMessage());
      }
      if (!dst.hasRemaining()) {
        return 0;
      }
      while (plain == null || !plain.hasRemaining()) {
        if (endOfStream) {
          return -1;
        }
        flushBeforeBlocking();
        try {
          if (!readFrame()) {
            endOfStream = true;
            return -1;
          }
        } catch (ProtocolException e) {
          inputFailure = e;
          throw e;
        }
      }
      int n = Math.min(dst.remaining(), plain.remaining());
      int limit = plain.limit();
      plain.limit(plain.position() + n);
      dst.put(plain);
      plain.limit(limit);
      return n;
    } finally {
      if (state != State.OPEN) {
        endInflater();
      }
      receiveLock.unlock();
    }
  }

  /**
   * Asks the layer's thread to send what is held before this receive may block, so that a
   * request always leaves before its reply is awaited. The receive never sends itself: a send may
   * block until the peer reads, while the peer is blocked sending to us and waits for this very
   * receive. At most one such request is pending.
   */
  private void flushBeforeBlocking() {
    if (heldBytes == 0 || state != State.OPEN || !flushRequested.compareAndSet(false, true)) {
      return;
    }
    try {
      layer.timer().execute(this::requestedFlush); // bytes are held only when there is a timer
    } catch (RejectedExecutionException unloading) {
      flushRequested.set(false); // the layer is unloading; its drain sends what is held
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
      asyncFailure = e instanceof IOException ? (IOException) e : new IOException(e);
    } finally {
      sendLock.unlock();
    }
  }

  /**
   * Reads the next frame into {@code plain}; returns {@code false} at a clean end of stream. A
   * timeout below leaves the partial frame in place, so the next receive resumes it.
   */
  // Under receiveLock.
  private boolean readFrame() throws IOException {
    if (header == null) {
      header = ByteBuffer.allocate(HEADER);
      block = ByteBuffer.allocate(maxFrame);
      block.limit(0);
    }
    if (header.hasRemaining()) {
      while (header.hasRemaining()) {
        if (below().receive(header) < 0) {
          if (header.position() == 0) {
            return false;
          }
          throw malformed("the stream ended inside the header of frame " + (framesRead + 1) + " ("
              + header.position() + " of " + HEADER + " bytes read)");
        }
      }
      long frameNo = framesRead + 1;
      int length = header.getInt(0);
      int flags = header.get(4) & 0xff;
      // Checked before a single byte of the block is read: the buffer is max-frame bytes already.
      if (length <= 0 || length > maxFrame) {
        throw malformed(length == 0
            ? "frame " + frameNo + " declares an empty block (expected: 1 to " + maxFrame + " bytes)"
            : "frame " + frameNo + " declares a block of " + Integer.toUnsignedString(length) + " bytes, over the bound of "
                + maxFrame + " (setting 'max-frame')");
      }
      if (flags != STORED && flags != DEFLATED) {
        throw malformed(String.format(java.util.Locale.ROOT,
            "frame %d has flags 0x%02x (expected: 0x00 stored or 0x01 deflated)", frameNo, flags));
      }
      block.clear().limit(length);
    }
    while (block.hasRemaining()) {
      if (below().receive(block) < 0) {
        throw malformed("the stream ended inside frame " + (framesRead + 1) + " (" + block.position() + " of "
            + block.limit() + " block bytes read)");
      }
    }
    framesRead++;
    int length = block.limit();
    int flags = header.get(4) & 0xff;
    header.clear();
    if (flags == STORED) {
      plain = ByteBuffer.wrap(block.array(), 0, length);
    } else {
      plain = ByteBuffer.wrap(inflated(), 0, inflate(length));
    }
    return true;
  }

  private byte[] inflated() {
    if (inflated == null) {
      inflated = new byte[maxFrame];
      inflater = new Inflater();
    }
    return inflated;
  }

  private int inflate(int length) throws ProtocolException {
    long frameNo = framesRead;
    inflater.reset();
    inflater.setInput(block.array(), 0, length);
    try {
      int n = inflater.inflate(inflated, 0, maxFrame);
      if (!inflater.finished() && n == maxFrame && inflater.inflate(new byte[1]) > 0) {
        throw malformed("frame " + frameNo + " inflates to more than the bound of " + maxFrame
            + " bytes (setting 'max-frame')");
      }
      if (!inflater.finished()) {
        throw malformed("frame " + frameNo + " ends before its zlib stream does");
      }
      if (inflater.getRemaining() > 0) {
        throw malformed("frame " + frameNo + " has " + inflater.getRemaining() + " bytes after its zlib stream");
      }
      if (n == 0) {
        throw malformed("frame " + frameNo + " inflates to nothing (expected: 1 to " + maxFrame + " bytes)");
      }
      return n;
    } catch (DataFormatException e) {
      ProtocolException p = malformed("frame " + frameNo + " is not a valid zlib stream: " + e.getMessage());
      p.initCause(e);
      throw p;
    }
  }

  private ProtocolException malformed(String what) {
    return new ProtocolException(layer.describe() + ": " + what);
  }

  // Under receiveLock.
  private void endInflater() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
      inflated = null;
      plain = null;
    }
  }

  /* ---- closing ---- */

  @Override
  public boolean isOpen() {
    return state == State.OPEN && below().isOpen();
  }

  @Override
  public void close() throws IOException {
    try {
      closeOutput();
    } finally {
      if (receiveLock.tryLock()) {
        try {
          endInflater();
        } finally {
          receiveLock.unlock();
        }
      } // else the receiver, woken by the close below, ends it on its way out
    }
  }

  private void closeOutput() throws IOException {
    if (!sendLock.tryLock()) {
      // A sender holds the lock, perhaps blocked below: close below at once so that it fails, as
      // a TCP close does to a blocked writer. What is held is dropped with the connection.
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
      if (linger == 0 || heldBytes == 0) {
        discardHeld(); // linger 0: an abortive close drops what is held
        state = State.CLOSED;
        endDeflater();
        below().close();
      } else if (linger > 0) {
        state = State.CLOSED;
        try {
          flushHeld();
        } finally {
          endDeflater();
          below().close();
        }
      } else {
        // Linger off: return at once, send later (the delay, or the final cleanup's drain).
        state = State.CLOSING;
        layer.lingerClose(this);
        if (scheduled == null && layer.timer() != null) {
          schedule();
        }
      }
    } finally {
      sendLock.unlock();
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

  // Under sendLock.
  private void discardHeld() {
    cancelScheduled();
    if (held != null) {
      held.clear();
    }
    heldBytes = 0;
  }

  // Under sendLock.
  private void endDeflater() {
    if (deflater != null) {
      deflater.end();
      deflater = null;
    }
  }

  /* ---- Lingering: the rest of a deferred close ---- */

  @Override
  public long pendingBytes() {
    return heldBytes;
  }

  @Override
  public void finish() throws IOException {
    sendLock.lock();
    try {
      if (state != State.CLOSING) {
        return;
      }
      try {
        flushHeld();
      } finally {
        state = State.CLOSED;
        layer.closed(this);
        endDeflater();
        below().close();
      }
    } finally {
      sendLock.unlock();
    }
  }

  @Override
  public void abort() {
    // Never takes the lock: a finish blocked below must be ended. The deflater is left to its
    // cleaner, since a sender may still hold it.
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

  /** Returns {@code DeflateSocket[OPEN, 12 held] -> ...}. */
  @Override
  public String toString() {
    return "DeflateSocket[" + state + ", " + heldBytes + " held] -> " + below();
  }
}
