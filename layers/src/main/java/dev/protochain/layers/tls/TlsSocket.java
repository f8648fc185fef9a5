package dev.protochain.layers.tls;

import static javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_TASK;
import static javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_WRAP;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ForwardingSocket;
import dev.protochain.layers.internal.Sockets;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream socket speaking TLS over the socket below through one {@link SSLEngine}.
 *
 * <p>Two locks keep the directions apart, so that a receive never waits for a send blocked below:
 * {@link #readLock} guards unwrapping and reading from below, {@link #writeLock} wrapping and
 * writing below. A handshake takes both, write first. A receive that meets a message needing an
 * answer (a TLS 1.3 key update, a TLS 1.2 close_notify) never waits for the write lock: it sets
 * {@link #wrapPending} and sends the answer itself only if the lock is free; otherwise the thread
 * holding it sends it on release ({@link #unlockWrite}).
 *
 * <p>This class is thread-safe.
 */
final class TlsSocket extends ForwardingSocket implements AbstractLayer.Lingering {

  private static final Logger log = LoggerFactory.getLogger(TlsSocket.class);
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /** How long a graceful close with linger off waits for the peer to close after close_notify. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final TlsLayer layer;
  private final boolean server;
  private final ReentrantLock readLock = new ReentrantLock();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();
  // Locks held across I/O are ReentrantLocks, never monitors: a virtual thread blocked in I/O
  // under synchronized pins its carrier (JDK 21 to 23).
  private final ReentrantLock closeLock = new ReentrantLock();
  private final ReentrantLock connectLock = new ReentrantLock();
  private boolean connectStarted; // guarded by connectLock

  private volatile SSLEngine engine;
  private volatile String peer;
  private ByteBuffer
      netIn; // guarded by readLock: bytes read from below, not yet unwrapped (write mode)
  private ByteBuffer
      appIn; // guarded by readLock: plaintext unwrapped, not yet received (write mode)
  private ByteBuffer
      netOut; // guarded by writeLock: one wrap's output on its way below (write mode)
  private volatile boolean handshaken;
  private PeerBytes peerBytes; // guarded by readLock: what the peer sent during the handshake
  private volatile boolean inputEnded; // the peer's close_notify arrived
  private volatile boolean inputShut; // shutdownInput
  private volatile boolean outputShut; // our close_notify is wrapped
  private volatile boolean belowOutputShut;
  private volatile boolean wrapPending;
  private volatile IOException failure; // the connection is unusable
  private volatile IOException readFailure; // the input ended without close_notify
  private volatile IOException writeFailure; // an answer sent on another operation's behalf failed
  private ByteBuffer closeRecord; // guarded by closeLock: the close_notify a deferred close holds
  private volatile long pendingCloseBytes;
  private volatile boolean closeDone;

  /** Creates a socket that becomes a TLS client when it connects. */
  TlsSocket(TlsLayer layer, ChainSocket below) {
    super(below);
    this.layer = layer;
    this.server = false;
    this.peer = "?";
  }

  /** Creates the server side of a connection the socket below accepted. */
  private TlsSocket(TlsLayer layer, ChainSocket acceptedBelow, SSLEngine engine, String peer) {
    super(acceptedBelow);
    this.layer = layer;
    this.server = true;
    this.engine = engine;
    this.peer = peer;
  }

  /* ---- connecting and accepting ---- */

  @Override
  public void listen(int backlog) throws IOException {
    checkKeyMaterial();
    super.listen(backlog);
  }

  /**
   * Wraps an accepted connection and, unless {@code handshake-on-accept} is off, runs the server
   * handshake. A failed handshake does not fail the accept, which would break an accept loop over
   * one bad client: the socket is returned closed below, and its first operation throws the
   * failure.
   */
  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) throws IOException {
    checkKeyMaterial();
    TlsSocket accepted =
        new TlsSocket(
            layer, acceptedBelow, layer.serverEngine(), format(acceptedBelow.remoteAddress()));
    if (layer.handshakeOnAccept()) {
      try {
        accepted.handshake(layer.handshakeTimeout());
      } catch (ProtochainException aborted) {
        throw aborted; // the provider below is going away: that is the listener's failure too
      } catch (IOException failed) {
        // recorded in accepted.failure; its first operation reports it
      }
    }
    return accepted;
  }

  private void checkKeyMaterial() {
    if (!layer.hasKeyMaterial()) {
      throw new IllegalStateException(
          "tls ("
              + layer.described()
              + ") cannot accept connections without key "
              + "material (expected: settings key and cert, or keystore)");
    }
  }

  /** Connects below, then runs the client handshake; a failed handshake closes the socket below. */
  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    Objects.requireNonNull(timeout, "timeout");
    long start = System.nanoTime();
    connectLock.lock();
    try {
      connectStarted = true;
    } finally {
      connectLock.unlock();
    }
    super.connect(remote, timeout);
    String host =
        remote instanceof InetSocketAddress
            ? ((InetSocketAddress) remote).getHostString()
            : String.valueOf(remote);
    int port = remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getPort() : -1;
    peer = format(remote);
    engine = layer.clientEngine(host, port);
    Duration bound = layer.handshakeTimeout();
    if (!timeout.isZero()) {
      Duration left = timeout.minusNanos(System.nanoTime() - start);
      if (left.compareTo(Duration.ofMillis(1)) < 0) {
        left = Duration.ofMillis(1);
      }
      if (bound.isZero() || left.compareTo(bound) < 0) {
        bound = left;
      }
    }
    handshake(bound);
  }

  /* ---- the handshake ---- */

  /** An operation of the socket below. */
  private interface BelowOperation {
    void run() throws IOException;
  }

  /**
   * Runs the handshake unless it ran; on a socket never connected nor accepted, fails as {@code
   * below} (the same operation on the socket below) fails, so that misuse reads as it does without
   * the layer.
   */
  private void ensureHandshaken(String operation, BelowOperation below) throws IOException {
    if (handshaken) {
      return;
    }
    if (engine == null) {
      // Under connectLock no connect can begin: the socket below is unconnected and refuses, so
      // nothing reaches a connection unencrypted. During a connect, this layer says it is not
      // ready.
      connectLock.lock();
      try {
        if (!connectStarted && engine == null) {
          below.run();
        }
      } finally {
        connectLock.unlock();
      }
      throw new IllegalStateException(
          operation
              + " on "
              + this
              + ": the socket is not connected (expected: connect or accept first)");
    }
    handshake(layer.handshakeTimeout());
  }

  private void handshake(Duration bound) throws IOException {
    writeLock.lock();
    try {
      readLock.lock();
      try {
        if (handshaken) {
          return;
        }
        checkUsable();
        SSLEngine e = engine;
        if (netIn == null) {
          netIn = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
          appIn = ByteBuffer.allocate(e.getSession().getApplicationBufferSize());
          netOut = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
          peerBytes = new PeerBytes();
        }
        long deadline = bound.isZero() ? 0 : System.nanoTime() + saturatedNanos(bound);
        Duration saved = below().getOption(ChainSocketOptions.RECEIVE_TIMEOUT);
        try {
          e.beginHandshake();
          while (true) {
            HandshakeStatus status = e.getHandshakeStatus();
            if (status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED) {
              break;
            } else if (status == NEED_TASK) {
              runTasks(e);
            } else if (status == NEED_WRAP) {
              wrapHandshake(e);
            } else {
              unwrapOnce(e, deadline, true);
            }
          }
          handshaken = true;
          peerBytes = null;
        } catch (IOException x) {
          throw failHandshake(x, bound);
        } finally {
          restoreTimeout(saved);
        }
      } finally {
        readLock.unlock();
      }
    } finally {
      unlockWrite();
    }
  }

  private void wrapHandshake(SSLEngine e) throws IOException {
    netOut.clear();
    SSLEngineResult r = e.wrap(EMPTY, netOut);
    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
      netOut = grow(netOut, e.getSession().getPacketBufferSize());
      return;
    }
    netOut.flip();
    below().sendFully(netOut);
    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
      throw new SSLHandshakeException("the TLS engine closed during the handshake");
    }
  }

  private IOException failHandshake(IOException x, Duration bound) {
    IOException f;
    if (closed.get()) {
      f = new ClosedChannelException(); // this socket's own close ended the handshake
      f.initCause(x);
    } else if (ProtochainException.hasCode(x, ProtochainException.Code.OPERATION_ABORTED)) {
      f = x;
    } else {
      String prefix = "tls handshake with " + peer + " failed (" + layer.described() + "): ";
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
    try {
      below().close();
    } catch (IOException | RuntimeException suppressed) {
      f.addSuppressed(suppressed);
    }
    return f;
  }

  /**
   * Sends the engine's pending records (an alert, a close_notify); best effort, under writeLock.
   */
  private void sendWhatTheEngineHolds() {
    SSLEngine e = engine;
    try {
      e.closeOutbound();
      for (int i = 0; i < 4 && !e.isOutboundDone(); i++) {
        netOut.clear();
        SSLEngineResult r = e.wrap(EMPTY, netOut);
        netOut.flip();
        below().sendFully(netOut);
        if (r.bytesProduced() == 0) {
          break;
        }
      }
    } catch (IOException | RuntimeException peerGone) {
      // The peer may have closed already; the local failure is what the caller needs.
    }
  }

  private void restoreTimeout(Duration saved) {
    try {
      below().setOption(ChainSocketOptions.RECEIVE_TIMEOUT, saved);
    } catch (IOException | RuntimeException closedBelow) {
      // Only a closed socket refuses, and then no later receive can read the old value.
    }
  }

  /* ---- reading ---- */

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    checkUsable();
    ensureHandshaken("receive", () -> below().receive(dst));
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
          return deliver(dst);
        }
        if (inputEnded) {
          return -1;
        }
        rethrow(readFailure);
        rethrow(failure);
        afterUnwrap(unwrapOnce(engine, 0, false));
      }
    } finally {
      readLock.unlock();
    }
  }

  /** Moves plaintext held in appIn to {@code dst}. */
  private int deliver(ByteBuffer dst) {
    appIn.flip();
    int n = Sockets.transfer(appIn, dst);
    appIn.compact();
    return n;
  }

  /** Unwraps one record, reading from below first when nothing whole is held; under readLock. */
  private SSLEngineResult unwrapOnce(SSLEngine e, long deadline, boolean handshaking)
      throws IOException {
    if (netIn.position() == 0) {
      readMore(e, deadline, handshaking);
    }
    netIn.flip();
    if (handshaking) {
      peerBytes.unwrapping(netIn);
    }
    SSLEngineResult r;
    try {
      r = e.unwrap(netIn, appIn);
    } catch (SSLException x) {
      throw handshaking ? x : failConnection(x);
    } finally {
      netIn.compact();
    }
    switch (r.getStatus()) {
      case BUFFER_UNDERFLOW:
        readMore(e, deadline, handshaking);
        break;
      case BUFFER_OVERFLOW:
        appIn = grow(appIn, appIn.position() + e.getSession().getApplicationBufferSize());
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
          readMore(e, deadline, handshaking); // the engine took nothing: it needs more bytes
        }
        break;
    }
    return r;
  }

  private void readMore(SSLEngine e, long deadline, boolean handshaking) throws IOException {
    if (!netIn.hasRemaining()) {
      netIn = grow(netIn, netIn.capacity() + e.getSession().getPacketBufferSize());
    }
    if (deadline != 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("handshake deadline passed");
      }
      below().setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofNanos(left));
    }
    int n = below().receive(netIn);
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
                  + layer.described()
                  + "): the peer closed it without close_notify");
      readFailure = truncated;
      throw truncated;
    }
  }

  private void afterUnwrap(SSLEngineResult r) throws IOException {
    SSLEngine e = engine;
    HandshakeStatus status = r.getHandshakeStatus();
    while (status == NEED_TASK) {
      runTasks(e);
      status = e.getHandshakeStatus();
    }
    if (r.getStatus() == SSLEngineResult.Status.CLOSED || e.isInboundDone()) {
      inputEnded = true;
      if (status == NEED_WRAP) {
        requestWrap(); // TLS 1.2 answers a close_notify with its own
      }
      return;
    }
    if (status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED) {
      return;
    }
    if (!"TLSv1.3".equals(e.getSession().getProtocol())) {
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
                + layer.described()
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
                + layer.described()
                + "): "
                + PeerBytes.receivedAlert(x).orElse(x.getMessage()),
            x);
    failure = f;
    requestWrap(); // the alert the engine queued, if any
    return f;
  }

  /* ---- writing ---- */

  @Override
  public int send(ByteBuffer src) throws IOException {
    checkUsable();
    ensureHandshaken("send", () -> below().send(src));
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
      SSLEngine e = engine;
      while (true) {
        netOut.clear();
        SSLEngineResult r;
        try {
          r = e.wrap(src, netOut);
        } catch (SSLException x) {
          throw failConnection(x);
        }
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
          netOut = grow(netOut, e.getSession().getPacketBufferSize());
          continue;
        }
        netOut.flip();
        below().sendFully(netOut);
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
          throw new SocketException(
              "tls connection with "
                  + peer
                  + " ("
                  + layer.described()
                  + "): cannot send after the peer's close_notify, which under TLS 1.2 ends both directions");
        }
        HandshakeStatus status = r.getHandshakeStatus();
        while (status == NEED_TASK) {
          runTasks(e);
          status = e.getHandshakeStatus();
        }
        if (r.bytesConsumed() > 0) {
          return r.bytesConsumed();
        }
        if (r.bytesProduced() == 0 && r.getHandshakeStatus() != NEED_TASK) {
          // Nothing wrapped at all: the engine waits for the peer, which only a renegotiation does.
          if (!"TLSv1.3".equals(e.getSession().getProtocol())) {
            throw refuseRenegotiation();
          }
          throw new SSLException(
              "tls connection with "
                  + peer
                  + " ("
                  + layer.described()
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
    SSLEngine e = engine;
    if (closed.get() || netOut == null) {
      return; // after close, the held close_notify is the last record
    }
    try {
      for (int i = 0; i < 16 && e.getHandshakeStatus() == NEED_WRAP; i++) {
        netOut.clear();
        SSLEngineResult r = e.wrap(EMPTY, netOut);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
          netOut = grow(netOut, e.getSession().getPacketBufferSize());
          continue;
        }
        netOut.flip();
        below().sendFully(netOut);
        if (r.getHandshakeStatus() == NEED_TASK) {
          runTasks(e);
        }
      }
    } catch (IOException | RuntimeException x) {
      if (writeFailure == null) {
        writeFailure = x instanceof IOException ? (IOException) x : new IOException(x);
      }
    }
  }

  @Override
  public void flush() throws IOException {
    checkUsable();
    if (engine != null) {
      ensureHandshaken("flush", () -> below().flush());
    }
    super.flush();
  }

  /* ---- closing ---- */

  @Override
  public void shutdownInput() throws IOException {
    checkUsable();
    inputShut = true;
    super.shutdownInput();
  }

  /** Sends close_notify, then shuts the output below. */
  @Override
  public void shutdownOutput() throws IOException {
    checkUsable();
    ensureHandshaken("shutdownOutput", () -> below().shutdownOutput());
    writeLock.lock();
    try {
      checkUsable();
      if (!outputShut) {
        outputShut = true;
        below().sendFully(wrapCloseNotify(engine));
      }
    } finally {
      unlockWrite();
    }
    belowOutputShut = true;
    super.shutdownOutput();
  }

  private ByteBuffer wrapCloseNotify(SSLEngine e) throws SSLException {
    e.closeOutbound();
    ByteBuffer out = ByteBuffer.allocate(e.getSession().getPacketBufferSize());
    for (int i = 0; i < 4 && !e.isOutboundDone(); i++) {
      SSLEngineResult r = e.wrap(EMPTY, out);
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
        out = grow(out, out.capacity() + e.getSession().getPacketBufferSize());
      } else if (r.bytesProduced() == 0) {
        break;
      }
    }
    out.flip();
    return out;
  }

  @Override
  public boolean isOpen() {
    return !closed.get() && super.isOpen();
  }

  /**
   * Closes as the class Javadoc of {@link TlsLayer} says: close_notify first unless the close is
   * abortive, nothing was negotiated, or a send holds the write lock; then {@link #finish}.
   */
  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    SSLEngine e = engine;
    // After a truncation the peer broke the TLS closure itself: nothing graceful is left to do.
    boolean graceful = e != null && handshaken && failure == null && readFailure == null;
    int linger = graceful ? Sockets.lingerSeconds(below()) : 0;
    if (!graceful || linger == 0 || !writeLock.tryLock()) {
      super.close();
      return;
    }
    ByteBuffer record = EMPTY;
    try {
      if (!outputShut) {
        outputShut = true;
        record = wrapCloseNotify(e);
      }
    } catch (SSLException x) {
      super.close();
      return;
    } finally {
      writeLock.unlock();
    }
    closeLock.lock();
    try {
      closeRecord = record;
      pendingCloseBytes = record.remaining();
    } finally {
      closeLock.unlock();
    }
    if (linger > 0) {
      finish(Duration.ofSeconds(linger));
    } else {
      layer.deferClose(this);
    }
  }

  /* ---- Lingering: the rest of a graceful close ---- */

  @Override
  public long pendingBytes() {
    return pendingCloseBytes;
  }

  /**
   * Sends the held close_notify, ends the output below, reads what the peer still sends, then
   * closes below. A connection the peer already broke gets no close_notify, which is no failure of
   * the close: close_notify carries no application bytes, and nobody is left to read it.
   */
  @Override
  public void finish() throws IOException {
    finish(CLOSE_WAIT);
  }

  private void finish(Duration wait) throws IOException {
    closeLock.lock();
    try {
      if (closeDone) {
        return;
      }
      try {
        ByteBuffer record = closeRecord;
        if (record != null) {
          below().sendFully(record);
        }
        pendingCloseBytes = 0;
        if (!belowOutputShut) {
          belowOutputShut = true;
          below().shutdownOutput();
        }
        drainInput(wait);
      } catch (IOException peerGone) {
        log.debug("tls ({}): close_notify not delivered on {}", layer.described(), this, peerGone);
      } finally {
        closeDone = true;
        closeRecord = null;
        pendingCloseBytes = 0;
        layer.closed(this);
        below().close();
      }
    } finally {
      closeLock.unlock();
    }
  }

  /**
   * Reads and drops what the peer still sends, until it closes or {@code wait} passes. Closing a
   * TCP socket with unread bytes (a TLS 1.3 session ticket the application never received, say)
   * makes the kernel send a reset instead of a FIN, which can destroy data the peer has not read
   * yet; reading to the peer's end first avoids it.
   */
  private void drainInput(Duration wait) {
    long deadline = System.nanoTime() + saturatedNanos(wait);
    ByteBuffer scratch = ByteBuffer.allocate(4096);
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        below().setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofNanos(left));
        if (below().receive(scratch.clear()) < 0) {
          return;
        }
      }
    } catch (IOException | RuntimeException endedOrTimedOut) {
      // The close goes on either way.
    }
  }

  @Override
  public void abort() {
    closeDone = true;
    layer.closed(this);
    Sockets.reset(below());
  }

  /* ---- addresses and options: a failed socket says why ---- */

  @Override
  public SocketAddress localAddress() throws IOException {
    checkUsable();
    return super.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() throws IOException {
    checkUsable();
    return super.remoteAddress();
  }

  @Override
  public <T> T getOption(SocketOption<T> name) throws IOException {
    checkUsable();
    return super.getOption(name);
  }

  @Override
  public <T> ChainSocket setOption(SocketOption<T> name, T value) throws IOException {
    checkUsable();
    return super.setOption(name, value);
  }

  /* ---- helpers ---- */

  private void checkUsable() throws IOException {
    if (closed.get()) {
      throw new ClosedChannelException();
    }
    rethrow(failure);
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

  private static void runTasks(SSLEngine e) {
    Runnable task;
    while ((task = e.getDelegatedTask()) != null) {
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

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  /** Returns {@code 127.0.0.1:4433}, {@code [::1]:4433} or {@code example.org:443}. */
  static String format(SocketAddress address) {
    if (!(address instanceof InetSocketAddress)) {
      return String.valueOf(address);
    }
    InetSocketAddress inet = (InetSocketAddress) address;
    if (inet.isUnresolved() || inet.getAddress() == null) {
      return inet.getHostString() + ":" + inet.getPort();
    }
    String host = inet.getAddress().getHostAddress();
    return (inet.getAddress() instanceof Inet6Address ? "[" + host + "]" : host)
        + ":"
        + inet.getPort();
  }

  /** Returns {@code 30s} or {@code 250ms}. */
  static String format(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /** Returns {@code TlsSocket[client TLSv1.3] -> ...}. */
  @Override
  public String toString() {
    SSLEngine e = engine;
    String state = handshaken && e != null ? " " + e.getSession().getProtocol() : "";
    return "TlsSocket["
        + (server ? "server" : "client")
        + state
        + (closed.get() ? " closed" : "")
        + "] -> "
        + below();
  }
}
