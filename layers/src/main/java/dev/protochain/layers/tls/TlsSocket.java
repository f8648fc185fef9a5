package dev.protochain.layers.tls;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.spi.ForwardingSocket;
import dev.protochain.layers.internal.LingeringClose;
import dev.protochain.layers.internal.Sockets;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream socket speaking TLS over the socket below: a {@link TlsPump} does the TLS, this class
 * the socket's part — connecting and accepting, misuse that must fail as it fails below, and the
 * close, whose graceful rest (close_notify, then reading to the peer's end) is the layer's {@link
 * LingeringClose}.
 *
 * <p>This class is thread-safe.
 */
final class TlsSocket extends ForwardingSocket {

  // Initialised at the first line logged: see LingeringClose.
  private static final class Log {
    static final Logger log = LoggerFactory.getLogger(TlsSocket.class);
  }

  /** How long a graceful close with linger off waits for the peer to close after close_notify. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final TlsLayer layer;
  private final boolean server;
  private final AtomicBoolean closed = new AtomicBoolean();
  // Locks held across I/O are ReentrantLocks, never monitors: a virtual thread blocked in I/O
  // under synchronized pins its carrier (JDK 21 to 23).
  private final ReentrantLock closeLock = new ReentrantLock();
  private final LingeringClose closing;
  private final ReentrantLock connectLock = new ReentrantLock();
  private boolean connectStarted; // guarded by connectLock

  private volatile TlsPump pump; // set once, by connect or accept
  private volatile boolean belowOutputShut;
  private ByteBuffer closeRecord; // guarded by closeLock: the close_notify a deferred close holds
  private volatile long pendingCloseBytes;
  private boolean peerGone; // guarded by closeLock: close_notify could not be sent

  /** Creates a socket that becomes a TLS client when it connects. */
  TlsSocket(TlsLayer layer, ChainSocket below) {
    super(below);
    this.layer = layer;
    this.server = false;
    this.closing = layer.closing(closeLock, below, new CloseNotify());
  }

  /** Creates the server side of a connection the socket below accepted. */
  private TlsSocket(TlsLayer layer, ChainSocket acceptedBelow, SSLEngine engine, String peer) {
    super(acceptedBelow);
    this.layer = layer;
    this.server = true;
    this.closing = layer.closing(closeLock, acceptedBelow, new CloseNotify());
    this.pump = pump(engine, peer);
  }

  private TlsPump pump(SSLEngine engine, String peer) {
    return new TlsPump(engine, new BelowWire(), peer, layer.described(), closed);
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
        // recorded in the accepted socket's pump; its first operation reports it
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
    pump = pump(layer.clientEngine(host, port), format(remote));
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

  /** Runs the handshake; a failure closes the socket below. */
  private void handshake(Duration bound) throws IOException {
    try {
      pump.handshake(bound);
    } catch (IOException f) {
      try {
        below().close();
      } catch (IOException | RuntimeException suppressed) {
        f.addSuppressed(suppressed);
      }
      throw f;
    }
  }

  /** An operation of the socket below. */
  private interface BelowOperation {
    void run() throws IOException;
  }

  /**
   * Runs the handshake unless it ran, and returns the pump; on a socket never connected nor
   * accepted, fails as {@code below} (the same operation on the socket below) fails, so that misuse
   * reads as it does without the layer.
   */
  private TlsPump handshaken(String operation, BelowOperation below) throws IOException {
    checkUsable();
    TlsPump p = pump;
    if (p == null) {
      // Under connectLock no connect can begin: the socket below is unconnected and refuses, so
      // nothing reaches a connection unencrypted. During a connect, this layer says it is not
      // ready.
      connectLock.lock();
      try {
        if (!connectStarted && pump == null) {
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
    if (!p.handshaken()) {
      handshake(layer.handshakeTimeout());
    }
    return p;
  }

  /* ---- data ---- */

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    return handshaken("receive", () -> below().receive(dst)).receive(dst);
  }

  @Override
  public int send(ByteBuffer src) throws IOException {
    return handshaken("send", () -> below().send(src)).send(src);
  }

  @Override
  public void flush() throws IOException {
    checkUsable();
    if (pump != null) {
      handshaken("flush", () -> below().flush());
    }
    super.flush();
  }

  /* ---- closing ---- */

  @Override
  public void shutdownInput() throws IOException {
    checkUsable();
    TlsPump p = pump;
    if (p != null) {
      p.shutdownInput();
    }
    super.shutdownInput();
  }

  /** Sends close_notify, then shuts the output below. */
  @Override
  public void shutdownOutput() throws IOException {
    handshaken("shutdownOutput", () -> below().shutdownOutput()).shutdownOutput();
    belowOutputShut = true;
    super.shutdownOutput();
  }

  @Override
  public boolean isOpen() {
    return !closed.get() && super.isOpen();
  }

  /**
   * Closes as the class Javadoc of {@link TlsLayer} says: close_notify first unless the close is
   * abortive, nothing was negotiated, or a send holds the write lock; the rest is {@link
   * CloseNotify}'s, run by the layer's {@link LingeringClose}.
   */
  @Override
  public void close() throws IOException {
    TlsPump p = pump;
    boolean graceful = p != null && p.graceful();
    int linger = graceful ? Sockets.lingerSeconds(below()) : 0;
    if (!closing.claim(linger)) {
      return;
    }
    closed.set(true);
    ByteBuffer record = null;
    if (linger != 0) {
      try {
        record = p.closeNotifyUnlessSending();
      } catch (SSLException x) {
        record = null;
      }
    }
    if (record == null) {
      closing.closeNow();
      return;
    }
    closeLock.lock();
    try {
      closeRecord = record;
      pendingCloseBytes = record.remaining();
    } finally {
      closeLock.unlock();
    }
    if (linger > 0) {
      closing.closeWithin(linger);
    } else {
      closing.defer(0);
    }
  }

  /**
   * The rest of a graceful close: sends the held close_notify, ends the output below, reads what
   * the peer still sends. A connection the peer already broke gets no close_notify, which is no
   * failure of the close: close_notify carries no application bytes, and nobody is left to read it.
   */
  private final class CloseNotify implements LingeringClose.Rest {

    @Override
    public long pendingBytes() {
      return pendingCloseBytes;
    }

    @Override
    public void sendRest() {
      try {
        ByteBuffer record = closeRecord;
        closeRecord = null;
        if (record != null) {
          below().sendFully(record);
        }
        pendingCloseBytes = 0;
        if (!belowOutputShut) {
          belowOutputShut = true;
          below().shutdownOutput();
        }
      } catch (IOException e) {
        peerGone = true;
        Log.log.debug(
            "tls ({}): close_notify not delivered on {}", layer.described(), TlsSocket.this, e);
      }
    }

    /**
     * Reads and drops what the peer still sends, until it closes or {@code wait} passes. Closing a
     * TCP socket with unread bytes (a TLS 1.3 session ticket the application never received, say)
     * makes the kernel send a reset instead of a FIN, which can destroy data the peer has not read
     * yet; reading to the peer's end first avoids it.
     */
    @Override
    public void awaitPeer(Duration wait) {
      if (peerGone) {
        return;
      }
      long deadline = System.nanoTime() + TlsPump.saturatedNanos(wait);
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
    public void outputClosed() {
      closeRecord = null;
      pendingCloseBytes = 0;
    }
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
    TlsPump p = pump;
    if (p != null) {
      p.checkUsable();
    } else if (closed.get()) {
      throw new ClosedChannelException();
    }
  }

  /** The socket below as the pump's wire; a receive with a timeout sets it and puts it back. */
  private final class BelowWire implements TlsPump.Wire {

    @Override
    public void send(ByteBuffer src) throws IOException {
      below().sendFully(src);
    }

    @Override
    public int receive(ByteBuffer dst, Duration timeout) throws IOException {
      if (timeout == null) {
        return below().receive(dst);
      }
      Duration saved = below().getOption(ChainSocketOptions.RECEIVE_TIMEOUT);
      below().setOption(ChainSocketOptions.RECEIVE_TIMEOUT, timeout);
      try {
        return below().receive(dst);
      } finally {
        try {
          below().setOption(ChainSocketOptions.RECEIVE_TIMEOUT, saved);
        } catch (IOException | RuntimeException closedBelow) {
          // Only a closed socket refuses, and then no later receive can read the old value.
        }
      }
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

  /** Returns {@code TlsSocket[client TLSv1.3] -> ...}. */
  @Override
  public String toString() {
    TlsPump p = pump;
    String protocol = p == null ? null : p.protocol();
    return "TlsSocket["
        + (server ? "server" : "client")
        + (protocol == null ? "" : " " + protocol)
        + (closed.get() ? " closed" : "")
        + "] -> "
        + below();
  }
}
