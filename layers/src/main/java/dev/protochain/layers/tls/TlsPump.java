package dev.protochain.layers.tls;

import static javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_TASK;
import static javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_WRAP;

import dev.protochain.api.ProtochainException;
import dev.protochain.layers.internal.Sockets;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Speaks TLS through one {@link SSLEngine} over a {@link Wire}: the handshake, wrapping what is
 * sent, unwrapping what is received, answering post-handshake messages, close_notify, and the
 * failures, in words naming the peer and the entry. It knows no socket, so two pumps over an
 * in-memory wire test it; {@link TlsSocket} puts it over the socket below.
 *
 * <p>Two locks keep the directions apart, so that a receive never waits for a send blocked on the
 * wire: {@link #readLock} guards unwrapping and reading, {@link #writeLock} wrapping and writing. A
 * handshake takes both, write first. A receive that meets a message needing an answer (a TLS 1.3
 * key update, a TLS 1.2 close_notify) never waits for the write lock: it sets {@link #wrapPending}
 * and sends the answer itself only if the lock is free; otherwise the thread holding it sends it on
 * release ({@link #unlockWrite}).
 *
 * <p>This class is thread-safe.
 */
final class TlsPump {

  /** Where the records go and come from: the socket below, or an in-memory pipe in tests. */
  interface Wire {

    /** Sends all of {@code src}. */
    void send(ByteBuffer src) throws IOException;

    /**
     * Receives some bytes into {@code dst}, or returns -1 at the end of the stream; with a {@code
     * timeout} (not null), waits at most that long and then throws a {@link
     * SocketTimeoutException}.
     */
    int receive(ByteBuffer dst, Duration timeout) throws IOException;
  }

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final SSLEngine engine;
  private final Wire wire;
  private final String peer;
  private final String described;
  private final AtomicBoolean closed;
  private final ReentrantLock readLock = new ReentrantLock();
  private final ReentrantLock writeLock = new ReentrantLock();

  // guarded by readLock: bytes read, not yet unwrapped (write mode)
  private ByteBuffer netIn;
  // guarded by readLock: plaintext unwrapped, not yet received (write mode)
  private ByteBuffer appIn;
  // guarded by writeLock: one wrap's output on its way out (write mode)
  private ByteBuffer netOut;
  private PeerBytes peerBytes; // guarded by readLock: what the peer sent during the handshake
  private volatile boolean handshaken;
  private volatile boolean inputEnded; // the peer's close_notify arrived
  private volatile boolean inputShut; // shutdownInput
  private volatile boolean outputShut; // our close_notify is wrapped
  private volatile boolean wrapPending;
  private volatile IOException failure; // the connection is unusable
  private volatile IOException readFailure; // the input ended without close_notify
  private volatile IOException writeFailure; // an answer sent on another operation's behalf failed

  /**
   * Creates a pump for {@code engine} (in client or server mode) over {@code wire}; {@code peer}
   * and {@code described} (such as {@code 127.0.0.1:4433} and {@code entry 2001 'tls'}) name the
   * two ends in messages; {@code closed} is set by the owner when the application closes.
   */
  TlsPump(SSLEngine engine, Wire wire, String peer, String described, AtomicBoolean closed) {
    this.engine = engine;
    this.wire = wire;
    this.peer = peer;
    this.described = described;
    this.closed = closed;
  }

  /* ---- the handshake ---- */

  /**
   * Runs the handshake unless it ran, bounded by {@code bound} ({@link Duration#ZERO}: no bound). A
   * failure is recorded, so that every later operation throws it too; the engine's alert is sent.
   */
  void handshake(Duration bound) throws IOException {
    writeLock.lock();
    try {
      readLock.lock();
      try {
        if (handshaken) {
          return;
        }
        checkUsable();
        if (netIn == null) {
          netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
          appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
          netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
          peerBytes = new PeerBytes();
        }
        long deadline = bound.isZero() ? 0 : System.nanoTime() + saturatedNanos(bound);
        try {
          engine.beginHandshake();
          while (true) {
            HandshakeStatus status = engine.getHandshakeStatus();
            if (status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED) {
              break;
            } else if (status == NEED_TASK) {
              runTasks();
            } else if (status == NEED_WRAP) {
              wrapHandshake();
            } else {
              unwrapOnce(deadline, true);
            }
          }
          handshaken = true;
          peerBytes = null;
        } catch (IOException x) {
          throw failHandshake(x, bound);
        }
      } finally {
        readLock.unlock();
      }
    } finally {
      unlockWrite();
    }
  }

  /** Returns whether the handshake completed. */
  boolean handshaken() {
    return handshaken;
  }

  /** Returns the negotiated protocol, such as {@code TLSv1.3}, or {@code null} before it is. */
  String protocol() {
    return handshaken ? engine.getSession().getProtocol() : null;
  }

  private void wrapHandshake() throws IOException {
    netOut.clear();
    SSLEngineResult r = engine.wrap(EMPTY, netOut);
    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
      netOut = grow(netOut, engine.getSession().getPacketBufferSize());
      return;
    }
    netOut.flip();
    wire.send(netOut);
    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
      throw new SSLHandshakeException("the TLS engine closed during the handshake");
    }
  }

  private IOException failHandshake(IOException x, Duration bound) {
    IOException f;
    if (closed.get()) {
      f = new ClosedChannelException(); // the application's own close ended the handshake
      f.initCause(x);
    } else if (ProtochainException.hasCode(x, ProtochainException.Code.OPERATION_ABORTED)) {
      f = x;
    } else {
      String prefix = "tls handshake with " + peer + " failed (" + described + "): ";
      if (x instanceof SocketTimeoutException) {
        f = new SocketTimeoutException(prefix + "no answer within " + format(bound));
        f.initCause(x);
      } else if (x instanceof SSLException) {
        f = new SSLHandshakeException(prefix + peerBytes.explain(x).orElse(x.getMessage()));
        f.initCause(x);
        sendWhatTheEngineHolds(); // the alert that tells the peer why
      } else {
        String what = x.getMessage() == null ? x.toString() : x.getMessage();
        f = new IOException(prefix + peerBytes.explain(x).orElse(what), x);
      }
    }
    failure = f;
    return f;
  }

  /** Sends the engine's pending records (an alert); best effort, under writeLock. */
  private void sendWhatTheEngineHolds() {
    try {
      engine.closeOutbound();
      for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
        netOut.clear();
        SSLEngineResult r = engine.wrap(EMPTY, netOut);
        netOut.flip();
        wire.send(netOut);
        if (r.bytesProduced() == 0) {
          break;
        }
      }
    } catch (IOException | RuntimeException peerGone) {
      // The peer may have closed already; the local failure is what the caller needs.
    }
  }

  /* ---- reading ---- */

  /** Receives plaintext into {@code dst}; -1 after the peer's close_notify or shutdownInput. */
  int receive(ByteBuffer dst) throws IOException {
    readLock.lock();
    try {
      while (true) {
        if (closed.get()) {
          throw new ClosedChannelException();
        }
        if (inputShut) {
          return -1;
        }
        if (!dst.hasRemaining()) {
          return 0;
        }
        if (appIn.position() > 0) {
          appIn.flip();
          int n = Sockets.transfer(appIn, dst);
          appIn.compact();
          return n;
        }
        if (inputEnded) {
          return -1;
        }
        rethrow(readFailure);
        rethrow(failure);
        afterUnwrap(unwrapOnce(0, false));
      }
    } finally {
      readLock.unlock();
    }
  }

  /** Makes later receives return -1. */
  void shutdownInput() {
    inputShut = true;
  }

  /** Unwraps one record, reading first when nothing whole is held; under readLock. */
  private SSLEngineResult unwrapOnce(long deadline, boolean handshaking) throws IOException {
    if (netIn.position() == 0) {
      readMore(deadline, handshaking);
    }
    netIn.flip();
    if (handshaking) {
      peerBytes.unwrapping(netIn);
    }
    SSLEngineResult r;
    try {
      r = engine.unwrap(netIn, appIn);
    } catch (SSLException x) {
      throw handshaking ? x : failConnection(x);
    } finally {
      netIn.compact();
    }
    switch (r.getStatus()) {
      case BUFFER_UNDERFLOW:
        readMore(deadline, handshaking);
        break;
      case BUFFER_OVERFLOW:
        appIn = grow(appIn, appIn.position() + engine.getSession().getApplicationBufferSize());
        break;
      case CLOSED:
        inputEnded = true;
        if (handshaking) {
          throw new SSLHandshakeException(
              "the peer closed the TLS connection during the handshake");
        }
        break;
      default:
        HandshakeStatus status = r.getHandshakeStatus();
        if (r.bytesConsumed() == 0
            && r.bytesProduced() == 0
            && status != NEED_TASK
            && status != NEED_WRAP) {
          readMore(deadline, handshaking); // the engine took nothing: it needs more bytes
        }
        break;
    }
    return r;
  }

  private void readMore(long deadline, boolean handshaking) throws IOException {
    if (!netIn.hasRemaining()) {
      netIn = grow(netIn, netIn.capacity() + engine.getSession().getPacketBufferSize());
    }
    Duration timeout = null;
    if (deadline != 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("handshake deadline passed");
      }
      timeout = Duration.ofNanos(left);
    }
    int n = wire.receive(netIn, timeout);
    if (handshaking && n > 0) {
      peerBytes.received(netIn, n);
    }
    if (n < 0) {
      if (handshaking) {
        throw new SSLHandshakeException(peerBytes.closed());
      }
      // Not calling engine.closeInbound(): it would fail the engine and so end our output too.
      IOException truncated =
          new SSLException(
              "tls connection with "
                  + peer
                  + " was truncated ("
                  + described
                  + "): the peer closed it without close_notify");
      readFailure = truncated;
      throw truncated;
    }
  }

  private void afterUnwrap(SSLEngineResult r) throws IOException {
    HandshakeStatus status = r.getHandshakeStatus();
    while (status == NEED_TASK) {
      runTasks();
      status = engine.getHandshakeStatus();
    }
    if (r.getStatus() == SSLEngineResult.Status.CLOSED || engine.isInboundDone()) {
      inputEnded = true;
      if (status == NEED_WRAP) {
        requestWrap(); // TLS 1.2 answers a close_notify with its own
      }
      return;
    }
    if (status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED) {
      return;
    }
    if (!"TLSv1.3".equals(engine.getSession().getProtocol())) {
      throw refuseRenegotiation();
    }
    if (status == NEED_WRAP) {
      requestWrap(); // the answer to a TLS 1.3 key update
    }
  }

  private IOException refuseRenegotiation() {
    IOException x =
        new SSLException(
            "tls connection with "
                + peer
                + " failed ("
                + described
                + "): the peer started a TLS renegotiation, which this layer refuses");
    failure = x;
    try {
      engine.closeOutbound();
    } catch (RuntimeException ignored) {
      // closing is all that is left to do
    }
    requestWrap();
    return x;
  }

  private IOException failConnection(SSLException x) {
    IOException f =
        new SSLException(
            "tls connection with "
                + peer
                + " failed ("
                + described
                + "): "
                + PeerBytes.receivedAlert(x).orElse(x.getMessage()),
            x);
    failure = f;
    requestWrap(); // the alert the engine queued, if any
    return f;
  }

  /* ---- writing ---- */

  /** Wraps and sends some of {@code src}; returns how many bytes it took. */
  int send(ByteBuffer src) throws IOException {
    if (!src.hasRemaining()) {
      return 0;
    }
    writeLock.lock();
    try {
      checkUsable();
      if (outputShut) {
        throw new ClosedChannelException();
      }
      rethrow(writeFailure);
      while (true) {
        netOut.clear();
        SSLEngineResult r;
        try {
          r = engine.wrap(src, netOut);
        } catch (SSLException x) {
          throw failConnection(x);
        }
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
          netOut = grow(netOut, engine.getSession().getPacketBufferSize());
          continue;
        }
        netOut.flip();
        wire.send(netOut);
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
          throw new java.net.SocketException(
              "tls connection with "
                  + peer
                  + " ("
                  + described
                  + "): cannot send after the peer's close_notify, which under TLS 1.2 ends both"
                  + " directions");
        }
        HandshakeStatus status = r.getHandshakeStatus();
        while (status == NEED_TASK) {
          runTasks();
          status = engine.getHandshakeStatus();
        }
        if (r.bytesConsumed() > 0) {
          return r.bytesConsumed();
        }
        if (r.bytesProduced() == 0 && r.getHandshakeStatus() != NEED_TASK) {
          // Nothing wrapped at all: the engine waits for the peer, which only a renegotiation does.
          if (!"TLSv1.3".equals(engine.getSession().getProtocol())) {
            throw refuseRenegotiation();
          }
          throw new SSLException(
              "tls connection with "
                  + peer
                  + " ("
                  + described
                  + "): the TLS engine wrapped nothing (handshake status "
                  + r.getHandshakeStatus()
                  + ")");
        }
        // The engine sent a handshake message first (a key update's answer) or ran a task; now the
        // data.
      }
    } finally {
      unlockWrite();
    }
  }

  /** Sends close_notify unless it went already. */
  void shutdownOutput() throws IOException {
    writeLock.lock();
    try {
      checkUsable();
      if (!outputShut) {
        outputShut = true;
        wire.send(wrapCloseNotify());
      }
    } finally {
      unlockWrite();
    }
  }

  /**
   * Returns the close_notify record for a graceful close to send (empty if {@link #shutdownOutput}
   * sent it), or {@code null} if a send holds the write lock: then the close is abortive, as a TCP
   * close is to a blocked writer.
   */
  ByteBuffer closeNotifyUnlessSending() throws SSLException {
    if (!writeLock.tryLock()) {
      return null;
    }
    try {
      if (outputShut) {
        return EMPTY;
      }
      outputShut = true;
      return wrapCloseNotify();
    } finally {
      writeLock.unlock();
    }
  }

  private ByteBuffer wrapCloseNotify() throws SSLException {
    engine.closeOutbound();
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
      SSLEngineResult r = engine.wrap(EMPTY, out);
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
        out = grow(out, out.capacity() + engine.getSession().getPacketBufferSize());
      } else if (r.bytesProduced() == 0) {
        break;
      }
    }
    out.flip();
    return out;
  }

  /**
   * Asks for the engine's pending records to be sent: now if the write lock is free, else on its
   * release.
   */
  private void requestWrap() {
    wrapPending = true;
    if (writeLock.tryLock()) {
      unlockWrite();
    }
  }

  /** Releases writeLock, first sending what a receive asked for in the meantime. */
  private void unlockWrite() {
    try {
      if (wrapPending) {
        flushPendingWraps();
      }
    } finally {
      writeLock.unlock();
    }
    // A receive may have asked between the flush and the unlock, and failed to take the lock.
    while (wrapPending && writeLock.tryLock()) {
      try {
        flushPendingWraps();
      } finally {
        writeLock.unlock();
      }
    }
  }

  /**
   * Sends the records the engine wants to send; under writeLock. Failures wait for the next send.
   */
  private void flushPendingWraps() {
    wrapPending = false;
    if (closed.get() || netOut == null) {
      return; // after close, the held close_notify is the last record
    }
    try {
      for (int i = 0; i < 16 && engine.getHandshakeStatus() == NEED_WRAP; i++) {
        netOut.clear();
        SSLEngineResult r = engine.wrap(EMPTY, netOut);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
          netOut = grow(netOut, engine.getSession().getPacketBufferSize());
          continue;
        }
        netOut.flip();
        wire.send(netOut);
        if (r.getHandshakeStatus() == NEED_TASK) {
          runTasks();
        }
      }
    } catch (IOException | RuntimeException x) {
      if (writeFailure == null) {
        writeFailure = x instanceof IOException ? (IOException) x : new IOException(x);
      }
    }
  }

  /* ---- state ---- */

  /** Throws if the application closed, or the connection failed. */
  void checkUsable() throws IOException {
    if (closed.get()) {
      throw new ClosedChannelException();
    }
    rethrow(failure);
  }

  /** Returns whether a close may still end the TLS connection gracefully. */
  boolean graceful() {
    // After a truncation the peer broke the TLS closure itself: nothing graceful is left to do.
    return handshaken && failure == null && readFailure == null;
  }

  /** Throws a fresh exception carrying {@code f}'s message, with {@code f} as its cause. */
  private static void rethrow(IOException f) throws IOException {
    if (f == null) {
      return;
    }
    if (f instanceof ProtochainException || f instanceof ClosedChannelException) {
      throw f;
    }
    if (f instanceof SSLHandshakeException) {
      SSLHandshakeException again = new SSLHandshakeException(f.getMessage());
      again.initCause(f);
      throw again;
    }
    if (f instanceof SSLException) {
      throw new SSLException(f.getMessage(), f);
    }
    if (f instanceof SocketTimeoutException) {
      SocketTimeoutException again = new SocketTimeoutException(f.getMessage());
      again.initCause(f);
      throw again;
    }
    throw new IOException(f.getMessage(), f);
  }

  private void runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }

  /**
   * Returns a buffer of at least {@code capacity} bytes holding what {@code b} holds (both in write
   * mode).
   */
  private static ByteBuffer grow(ByteBuffer b, int capacity) {
    ByteBuffer bigger = ByteBuffer.allocate(Math.max(capacity, b.capacity() + 1));
    b.flip();
    bigger.put(b);
    return bigger;
  }

  static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  /** Returns {@code 30s} or {@code 250ms}. */
  static String format(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
