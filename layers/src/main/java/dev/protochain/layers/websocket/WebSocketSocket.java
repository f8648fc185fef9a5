package dev.protochain.layers.websocket;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.spi.FramedSocket;
import dev.protochain.api.spi.HandshakeSocket;
import dev.protochain.layers.internal.LingeringClose;
import dev.protochain.layers.internal.Sockets;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stream socket that carries its bytes as WebSocket binary messages: the client end once it
 * connects, the server end once accepted. The kit ({@link FramedSocket}) runs the opening handshake
 * and reads frames; this class says what the handshake and the frames are, and closes as {@link
 * WebSocketLayer} describes. Thread-safe as the kit is: one thread may send while another receives.
 */
final class WebSocketSocket extends FramedSocket {

  /** How long a graceful close with linger off waits for the peer's close frame. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private static final SecureRandom KEYS = new SecureRandom();

  private final WebSocketLayer layer;
  private final AtomicBoolean closeSent = new AtomicBoolean();
  private final AtomicInteger receiving = new AtomicInteger();
  private final ReentrantLock closeLock = new ReentrantLock();
  private final LingeringClose closing;

  private volatile SocketAddress target; // as the application gave it to connect
  private volatile FrameDecoder decoder; // made by the handshake, with the role
  private volatile FrameEncoder encoder;
  private volatile boolean inputShut;
  private volatile boolean peerGone; // the close frame could not be sent

  WebSocketSocket(WebSocketLayer layer, ChainSocket below) {
    super(below, layer.describe());
    this.layer = layer;
    this.closing = layer.closing(closeLock, below, new CloseFrame());
  }

  @Override
  protected HandshakeSocket newAccepted(ChainSocket acceptedBelow) {
    return new WebSocketSocket(layer, acceptedBelow);
  }

  @Override
  protected Duration handshakeTimeout() {
    return layer.handshakeTimeout();
  }

  /* ---- the opening handshake ---- */

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    target = remote;
    super.connect(remote, timeout);
  }

  @Override
  protected void connecting(Exchange ex) throws IOException {
    ex.step("the upgrade request");
    String key = Handshake.newKey(KEYS);
    ex.send(ByteBuffer.wrap(Handshake.request(layer.path(), host(ex), key, layer.headers())));
    ex.step("the upgrade response");
    Handshake.Head response = head(ex, "the server");
    try {
      Handshake.checkResponse(response, key, layer.offeredProtocols());
    } catch (ProtocolException e) {
      String problem = "the server " + e.getMessage();
      throw Handshake.isRefusal(response) ? ex.refused(problem) : ex.malformed(problem);
    }
    encoder = new FrameEncoder(true);
    decoder = new FrameDecoder(this::pong, false, layer.maxMessage());
  }

  @Override
  protected void accepting(Exchange ex) throws IOException {
    ex.step("the upgrade request");
    Handshake.Answer answer = Handshake.answer(head(ex, "the client"), layer.path());
    ex.send(ByteBuffer.wrap(answer.bytes()));
    if (!answer.accepted()) {
      throw ex.refused("the client " + answer.refusal());
    }
    encoder = new FrameEncoder(false);
    decoder = new FrameDecoder(this::pong, true, layer.maxMessage());
  }

  private static Handshake.Head head(Exchange ex, String who) throws IOException {
    String text = ex.readUntil("\r\n\r\n", Handshake.MAX_HEAD - 4);
    try {
      return Handshake.parse(text);
    } catch (ProtocolException e) {
      throw ex.malformed(who + " " + e.getMessage());
    }
  }

  /** Returns the Host header: the setting, else the target as the application named it. */
  private String host(Exchange ex) throws IOException {
    String configured = layer.host();
    if (!configured.isEmpty()) {
      return configured;
    }
    SocketAddress a = target != null ? target : ex.peer();
    if (!(a instanceof InetSocketAddress)) {
      return String.valueOf(a);
    }
    InetSocketAddress i = (InetSocketAddress) a;
    String h = i.getHostString();
    if (h.indexOf(':') >= 0) {
      h = "[" + h + "]"; // an IPv6 literal
    }
    return i.getPort() == 80 ? h : h + ":" + i.getPort();
  }

  /* ---- frames, for the kit ---- */

  @Override
  protected int maxFrameLength() {
    return FrameDecoder.maxFrameLength(layer.maxMessage());
  }

  @Override
  protected int maxEncodedLength() {
    return FrameEncoder.maxEncodedLength(layer.maxSentPayload());
  }

  @Override
  protected long frameLength(ByteBuffer buffered) throws IOException {
    try {
      return decoder.frameLength(buffered);
    } catch (FrameException e) {
      throw failed(e);
    }
  }

  @Override
  protected ByteBuffer decode(ByteBuffer frame) throws IOException {
    try {
      return decoder.decode(frame);
    } catch (FrameException e) {
      throw failed(e);
    }
  }

  @Override
  protected void encode(ByteBuffer src, ByteBuffer out) {
    encoder.encode(src, out);
  }

  private void pong(byte[] payload, int len) throws IOException {
    if (!closeSent.get()) {
      sendFrame(encoder.control(Frames.PONG, payload, len));
    }
  }

  /**
   * Fails the connection as section 7.1.7 says: a close frame with the status, then the error,
   * which names the layer and the peer.
   */
  private ProtocolException failed(FrameException e) {
    String message =
        describe()
            + ": "
            + e.getMessage()
            + ", from "
            + peer()
            + " (the connection fails with status "
            + Frames.statusName(e.status())
            + ")";
    try {
      sendClose(e.status(), e.status() == Frames.TOO_BIG ? "message too big" : "protocol error");
    } catch (IOException | RuntimeException unsent) {
      message += "; the close frame could not be sent: " + unsent.getMessage();
    }
    ProtocolException p = new ProtocolException(message);
    p.initCause(e);
    return p;
  }

  private String peer() {
    try {
      return String.valueOf(below().remoteAddress());
    } catch (IOException | RuntimeException e) {
      return "an unknown peer";
    }
  }

  /** Sends the close frame unless one was sent; returns whether this call sent it. */
  private boolean sendClose(int code, String reason) throws IOException {
    if (!closeSent.compareAndSet(false, true)) {
      return false;
    }
    sendFrame(encoder.close(code, reason));
    return true;
  }

  /* ---- the application's side ---- */

  /**
   * Sends one binary message of what {@code src} holds, up to the layer's message size.
   *
   * @throws SocketException once the output was shut down (the close frame was sent)
   */
  @Override
  public int send(ByteBuffer src) throws IOException {
    if (closeSent.get()) {
      throw new SocketException(
          describe() + ": the output was shut down (the close frame was sent); nothing may follow");
    }
    return super.send(src);
  }

  /**
   * Receives message bytes; -1 once the peer's close frame came or the input was shut down.
   *
   * @throws EOFException if the connection ended without a close frame (status 1006)
   */
  @Override
  public int receive(ByteBuffer dst) throws IOException {
    if (!handshakeDone()) {
      return super.receive(dst); // the socket below says why a receive fails here
    }
    if (inputShut) {
      return -1;
    }
    receiving.incrementAndGet();
    try {
      int n = super.receive(dst);
      if (n < 0 && decoder.closed() == null && !inputShut) {
        throw new EOFException(
            describe()
                + ": "
                + peer()
                + " ended the connection without a close frame (status 1006 abnormal closure)");
      }
      return n;
    } finally {
      receiving.decrementAndGet();
    }
  }

  /** Ends the input here: receives return -1; the peer is not told (WebSocket has no way to). */
  @Override
  public void shutdownInput() throws IOException {
    if (!handshakeDone()) {
      super.shutdownInput();
      return;
    }
    inputShut = true;
  }

  /**
   * Sends the close frame (status 1000) and keeps the connection open for the peer's bytes, which
   * receives return until its close frame; see {@link WebSocketLayer} on half-close.
   */
  @Override
  public void shutdownOutput() throws IOException {
    if (!handshakeDone()) {
      super.shutdownOutput();
      return;
    }
    sendClose(Frames.NORMAL, "");
  }

  @Override
  public boolean isOpen() {
    return closing.open() && super.isOpen();
  }

  /**
   * Closes as {@link WebSocketLayer} says: linger 0 (or no handshake yet) closes below at once;
   * otherwise the close frame, then the peer's, then the connection, before the close returns
   * (linger above 0) or on a close thread of the layer (linger off).
   */
  @Override
  public void close() throws IOException {
    int linger = handshakeDone() ? Sockets.lingerSeconds(below()) : 0;
    if (!closing.claim(linger)) {
      return;
    }
    if (linger == 0) {
      closing.closeNow();
    } else if (linger > 0) {
      closing.closeWithin(linger);
    } else {
      closing.defer(0);
    }
  }

  /** The rest of a graceful close: the close frame, then the peer's, read with what comes first. */
  private final class CloseFrame implements LingeringClose.Rest {

    @Override
    public long pendingBytes() {
      return closeSent.get() ? 0 : 2 + 2; // a server's close frame; a client's has 4 more
    }

    @Override
    public void sendRest() {
      try {
        sendClose(Frames.NORMAL, "");
      } catch (IOException e) {
        peerGone = true;
      }
    }

    /**
     * Reads and drops what the peer still sends until its close frame, the end of the connection or
     * {@code wait}; not while an application thread receives (the close of the socket below wakes
     * it).
     */
    @Override
    public void awaitPeer(Duration wait) {
      FrameDecoder d = decoder;
      if (peerGone || d == null || d.closed() != null || inputShut) {
        return;
      }
      if (receiving.incrementAndGet() > 1) {
        receiving.decrementAndGet();
        return;
      }
      long deadline = System.nanoTime() + wait.toNanos();
      ByteBuffer scratch = ByteBuffer.allocate(8192);
      try {
        while (true) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          below().setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofNanos(left));
          if (WebSocketSocket.super.receive(scratch.clear()) < 0) {
            return;
          }
        }
      } catch (IOException | RuntimeException e) {
        // a timeout, a reset, a broken frame: the connection ends either way
      } finally {
        receiving.decrementAndGet();
      }
    }
  }

  /** Returns {@code WebSocketSocket[open] -> ...}: not connected, open, or close sent. */
  @Override
  public String toString() {
    String state = encoder == null ? "not connected" : closeSent.get() ? "close sent" : "open";
    return "WebSocketSocket[" + state + "] -> " + below();
  }
}
