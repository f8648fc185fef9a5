package dev.protochain.api.spi;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.spi.HandshakeException.Reason;
import dev.protochain.api.spi.HandshakeException.Side;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A layer's stream socket that exchanges messages with its peer once, at {@code connect} and at
 * {@code accept}, before any application byte flows; afterwards it is a plain stream (or, as a
 * {@link FramedSocket}, a framed one).
 *
 * <p>The author writes {@link #connecting} and/or {@link #accepting}, each talking to the peer
 * through an {@link Exchange}, and {@link #newAccepted}. The kit runs the connecting side inside
 * {@link #connect} once the socket below is connected, and the accepting side inside {@link
 * #accept} before the accepted socket is returned, under one deadline ({@link #handshakeTimeout},
 * and for a connect also what is left of its own timeout). Bytes the peer sent after the handshake
 * in the same reads are kept and are what the first receives return.
 *
 * <p>Any failure closes the socket below and reaches the caller of {@code connect} or {@code
 * accept} as the exception the handshake threw; the kit's own ({@link Exchange#read} past the
 * deadline or the end of the stream, {@link Exchange#malformed}, {@link Exchange#refused}) are one
 * {@link HandshakeException} naming the side, the step, the peer and what it sent in that step.
 *
 * <pre>{@code
 * protected void connecting(Exchange ex) throws IOException {
 *   ex.step("the greeting");
 *   ex.send("HELLO 1\r\n");
 *   String answer = ex.readUntil("\r\n", 64);
 *   if (!answer.equals("HELLO 1")) {
 *     throw ex.refused("expected HELLO 1");
 *   }
 * }
 * }</pre>
 *
 * <p>Threads: the handshake runs on the thread that connects or accepts; after it, one thread may
 * send while another receives, as for any {@link ChainSocket}. Before the handshake (a socket not
 * connected yet, or listening) every operation goes to the socket below, which says why it fails.
 */
public abstract class HandshakeSocket extends ForwardingSocket {

  /** The default {@link #handshakeTimeout()}. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  /** The default {@link #maxHandshakeBytes()}. */
  public static final int DEFAULT_MAX_HANDSHAKE_BYTES = 8192;

  private final String describe;
  private final ReentrantLock leftoverLock = new ReentrantLock();
  private volatile ByteBuffer leftover; // taken under leftoverLock; null once delivered
  private volatile boolean handshaken;
  private volatile boolean deferred; // an accepted socket whose handshake waits for its first use
  private final ReentrantLock deferredLock = new ReentrantLock();
  private Exchange deferredExchange; // guarded by deferredLock: kept across a receive timeout
  private IOException deferredFailure; // guarded by deferredLock

  /**
   * Creates a socket over {@code below}; {@code describe} names the layer in messages, such as
   * {@code layer 'greet' (entry 2001)}.
   */
  protected HandshakeSocket(ChainSocket below, String describe) {
    super(below);
    this.describe = Objects.requireNonNull(describe, "describe");
  }

  /* ---- what the author writes ---- */

  /** Runs the connecting side's handshake; by default nothing. */
  protected void connecting(Exchange ex) throws IOException {}

  /** Runs the accepting side's handshake; by default nothing. */
  protected void accepting(Exchange ex) throws IOException {}

  /**
   * Returns this layer's socket over a connection the socket below accepted; the kit runs its
   * {@link #accepting} handshake before {@link #accept} returns it.
   */
  protected abstract HandshakeSocket newAccepted(ChainSocket acceptedBelow) throws IOException;

  /** Returns the longest a whole handshake may take; {@link Duration#ZERO} for no bound. */
  protected Duration handshakeTimeout() {
    return DEFAULT_HANDSHAKE_TIMEOUT;
  }

  /** Returns the most bytes the peer may send during the handshake. */
  protected int maxHandshakeBytes() {
    return DEFAULT_MAX_HANDSHAKE_BYTES;
  }

  /**
   * Returns whether an accepted socket runs its {@link #accepting} handshake at its first use
   * instead of inside {@link #accept}: the first receive, send or {@link #completeHandshake()}, on
   * that thread, so that a server's accept loop never waits on a slow peer. Default: {@code false}.
   *
   * <p>Such a handshake also honours the socket's own {@link ChainSocketOptions#RECEIVE_TIMEOUT}:
   * when it elapses before the handshake's deadline and the handshake has sent nothing yet, the
   * operation fails with a {@link SocketTimeoutException}, nothing is lost, and the next use runs
   * {@link #accepting} again from the start over the bytes that arrived so far (so it must not
   * depend on state of its own from an earlier run). A failure is thrown again by every later use.
   */
  protected boolean handshakeOnFirstUse() {
    return false;
  }

  /**
   * Receives the bytes the peer sent after its handshake in the same reads; by default they are
   * what the first receives return. {@link FramedSocket} reads frames from them.
   */
  void handshaken(ByteBuffer after) {
    leftoverLock.lock();
    try {
      leftover = after.hasRemaining() ? after : null;
    } finally {
      leftoverLock.unlock();
    }
  }

  /* ---- the kit ---- */

  /** Returns what messages call the layer. */
  protected final String describe() {
    return describe;
  }

  /** Returns whether the handshake has completed, so that application bytes flow. */
  protected final boolean handshakeDone() {
    return handshaken;
  }

  /**
   * Runs an accepted socket's deferred handshake ({@link #handshakeOnFirstUse()}) if it has not
   * completed; returns at once otherwise. A layer calls it where an operation depends on the
   * handshake's outcome, such as a {@link #remoteAddress()} the handshake names.
   */
  protected final void completeHandshake() throws IOException {
    if (handshaken || !deferred) {
      return;
    }
    deferredLock.lock();
    try {
      if (handshaken) {
        return;
      }
      if (deferredFailure != null) {
        throw deferredFailure;
      }
      if (deferredExchange == null) {
        deferredExchange = new Exchange(Side.ACCEPTING, handshakeTimeout());
      } else {
        deferredExchange.rewind();
      }
      try {
        handshake(deferredExchange);
      } catch (IOException e) {
        if (!(e instanceof Resumable)) {
          deferredFailure = e;
        }
        throw e;
      } catch (RuntimeException | Error e) {
        deferredFailure = new IOException(describe + ": the accepting handshake failed", e);
        throw e;
      }
      deferredExchange = null;
    } finally {
      deferredLock.unlock();
    }
  }

  /**
   * Returns whether the socket may carry application bytes now, running a deferred handshake first;
   * {@code false} for a socket whose handshake has not started (not connected).
   */
  final boolean ready() throws IOException {
    if (handshaken) {
      return true;
    }
    if (deferred) {
      completeHandshake();
      return true;
    }
    return false;
  }

  @Override
  protected final ChainSocket wrapAccepted(ChainSocket acceptedBelow) throws IOException {
    HandshakeSocket s = newAccepted(acceptedBelow);
    if (s.handshakeOnFirstUse()) {
      s.deferred = true;
    } else {
      s.handshake(s.new Exchange(Side.ACCEPTING, s.handshakeTimeout()));
    }
    return s;
  }

  /**
   * Connects the socket below, then runs the connecting handshake within {@link
   * #handshakeTimeout()} and what is left of {@code timeout}.
   */
  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    long start = System.nanoTime();
    below().connect(remote, timeout);
    runHandshake(timeout, start);
  }

  /**
   * Runs the connecting handshake over the already connected socket below, within {@link
   * #handshakeTimeout()} and what is left of {@code connectTimeout} ({@link Duration#ZERO}: no
   * bound) since {@code connectStart} ({@link System#nanoTime()}); for a layer that connects the
   * socket below itself. A failure closes the socket below.
   */
  protected final void runHandshake(Duration connectTimeout, long connectStart) throws IOException {
    handshake(
        new Exchange(Side.CONNECTING, bound(handshakeTimeout(), connectTimeout, connectStart)));
  }

  /** Returns the smaller of {@code own} and what is left of {@code timeout} since {@code start}. */
  static Duration bound(Duration own, Duration timeout, long start) {
    if (timeout.isZero()) {
      return own;
    }
    Duration left = timeout.minusNanos(System.nanoTime() - start);
    if (left.compareTo(Duration.ofMillis(1)) < 0) {
      left = Duration.ofMillis(1);
    }
    return own.isZero() || left.compareTo(own) < 0 ? left : own;
  }

  private void handshake(Exchange ex) throws IOException {
    try {
      ex.appTimeout = below().getOption(ChainSocketOptions.RECEIVE_TIMEOUT);
      try {
        if (ex.side == Side.CONNECTING) {
          connecting(ex);
        } else {
          accepting(ex);
        }
      } finally {
        if (ex.timeoutSet) {
          try {
            below().setOption(ChainSocketOptions.RECEIVE_TIMEOUT, ex.appTimeout);
          } catch (IOException | RuntimeException closed) {
            // A socket that refuses is closed; what closed it is what the caller sees.
          }
        }
      }
    } catch (Resumable e) {
      throw e; // the application's receive timeout, in a deferred handshake: the next use resumes
    } catch (IOException | RuntimeException | Error e) {
      try {
        below().close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    handshaken(ex.rest());
    handshaken = true;
  }

  /** Returns the bytes kept from the handshake first, then what the socket below receives. */
  @Override
  public int receive(ByteBuffer dst) throws IOException {
    ready();
    if (leftover != null) { // checked again under the lock
      leftoverLock.lock();
      try {
        ByteBuffer l = leftover;
        if (l != null) {
          int n = transfer(l, dst);
          if (!l.hasRemaining()) {
            leftover = null;
          }
          return n;
        }
      } finally {
        leftoverLock.unlock();
      }
    }
    return below().receive(dst);
  }

  /** Sends to the socket below, after a deferred handshake. */
  @Override
  public int send(ByteBuffer src) throws IOException {
    ready();
    return below().send(src);
  }

  /** A receive timeout of the application's inside a deferred handshake: it resumes. */
  private static final class Resumable extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    Resumable(String message) {
      super(message);
    }
  }

  /** Moves as many bytes as fit from {@code src} to {@code dst}; returns how many. */
  static int transfer(ByteBuffer src, ByteBuffer dst) {
    int n = Math.min(src.remaining(), dst.remaining());
    if (n == src.remaining()) {
      dst.put(src);
    } else {
      int limit = src.limit();
      src.limit(src.position() + n);
      dst.put(src);
      src.limit(limit);
    }
    return n;
  }

  /**
   * The handshake's conversation with the peer: sends, reads bounded by the deadline, and the
   * failures that name the step. Reads take whole chunks from the socket below; what they take
   * beyond the handshake is kept for the stream. Not thread-safe: used by the handshaking thread.
   */
  public final class Exchange {

    private final Side side;
    private final Duration bound;
    private final long deadline;
    private Duration appTimeout = Duration.ZERO; // the socket's receive timeout, restored after
    private boolean timeoutSet;
    private boolean sent;
    private ByteBuffer in; // position: end of what arrived; the array keeps all of it
    private int read; // the first byte not yet returned by a read
    private int stepStart;
    private String step = "the handshake";

    Exchange(Side side, Duration bound) {
      this.side = side;
      this.bound = bound;
      long nanos;
      try {
        nanos = bound.toNanos();
      } catch (ArithmeticException practicallyForever) {
        nanos = Long.MAX_VALUE / 2;
      }
      this.deadline = bound.isZero() ? 0 : System.nanoTime() + nanos;
    }

    /** Returns which side this is. */
    public Side side() {
      return side;
    }

    /** Returns the bound of the whole handshake; {@link Duration#ZERO} for none. */
    public Duration timeout() {
      return bound;
    }

    /** Returns the peer's address as the socket below reports it. */
    public SocketAddress peer() throws IOException {
      return below().remoteAddress();
    }

    /** Returns the socket below, for what the exchange does not cover (its local address, say). */
    public ChainSocket below() {
      return HandshakeSocket.this.below();
    }

    /**
     * Names the step that follows, as failure messages will ({@code the greeting}); what the peer
     * sent is counted from here.
     */
    public void step(String name) {
      step = Objects.requireNonNull(name, "name");
      stepStart = read;
    }

    /** Sends every remaining byte of {@code src}. */
    public void send(ByteBuffer src) throws IOException {
      sent |= src.hasRemaining();
      below().sendFully(src);
    }

    /** Sends {@code text} as ISO-8859-1 (ASCII passes unchanged). */
    public void send(String text) throws IOException {
      send(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /**
     * Reads exactly {@code n} bytes and returns them (a buffer valid until the next read).
     *
     * @throws HandshakeException if the deadline passes or the stream ends first, or the handshake
     *     would exceed {@link #maxHandshakeBytes()}
     */
    public ByteBuffer read(int n) throws IOException {
      if (n < 0) {
        throw new IllegalArgumentException("read " + n + " bytes (expected: 0 or more)");
      }
      fill(n);
      ByteBuffer out = ByteBuffer.wrap(in.array(), read, n).slice();
      read += n;
      return out;
    }

    /**
     * Reads up to {@code delimiter} and returns the text before it as ISO-8859-1; the delimiter is
     * consumed, what follows it stays for the next read or the stream.
     *
     * @throws HandshakeException if the delimiter does not come within {@code max} bytes, the
     *     deadline passes or the stream ends first
     */
    public String readUntil(String delimiter, int max) throws IOException {
      byte[] d = delimiter.getBytes(StandardCharsets.ISO_8859_1);
      if (d.length == 0) {
        throw new IllegalArgumentException("an empty delimiter");
      }
      int from = read;
      while (true) {
        int at = indexOf(d, from);
        if (at >= 0 && at - read <= max) {
          String text = new String(in.array(), read, at - read, StandardCharsets.ISO_8859_1);
          read = at + d.length;
          return text;
        }
        int have = buffered();
        if (have >= max + d.length) {
          throw malformed(
              "no " + HandshakeException.show(d) + " within " + max + " bytes (the most allowed)");
        }
        from = Math.max(read, read + have - d.length + 1);
        fill(have + 1);
      }
    }

    /** Returns how many bytes arrived that no read has returned yet. */
    public int buffered() {
      return in == null ? 0 : in.position() - read;
    }

    /** Returns a failure of the current step: the peer's answer breaks the protocol. */
    public HandshakeException malformed(String problem) {
      return failure(Reason.MALFORMED, problem);
    }

    /** Returns a failure of the current step: the peer said no, within the protocol. */
    public HandshakeException refused(String problem) {
      return failure(Reason.REFUSED, problem);
    }

    private HandshakeException failure(Reason reason, String problem) {
      byte[] sent =
          in == null ? new byte[0] : Arrays.copyOfRange(in.array(), stepStart, in.position());
      return new HandshakeException(
          describe, FrameReader.peerOf(below()), side, step, reason, problem, sent);
    }

    private int indexOf(byte[] d, int from) {
      byte[] a = in == null ? new byte[0] : in.array();
      int end = in == null ? 0 : in.position();
      outer:
      for (int i = from; i + d.length <= end; i++) {
        for (int j = 0; j < d.length; j++) {
          if (a[i + j] != d[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }

    /** Receives until at least {@code n} unread bytes are here. */
    private void fill(int n) throws IOException {
      int max = maxHandshakeBytes();
      if (read + n > max) {
        throw malformed("the handshake would take more than " + max + " bytes");
      }
      if (in == null) {
        in = ByteBuffer.allocate(max);
      }
      while (buffered() < n) {
        boolean appBound = deferred && !appTimeout.isZero() && !sent;
        if (deadline != 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw timedOut(null);
          }
          appBound &= appTimeout.toNanos() < left;
          below()
              .setOption(
                  ChainSocketOptions.RECEIVE_TIMEOUT,
                  appBound ? appTimeout : Duration.ofNanos(left));
          timeoutSet = true;
        }
        int got;
        try {
          got = below().receive(in);
        } catch (SocketTimeoutException e) {
          if (appBound) {
            throw new Resumable(e.getMessage());
          }
          throw timedOut(e);
        }
        if (got < 0) {
          throw failure(
              Reason.PEER_CLOSED, "the stream ended after " + buffered() + " of " + n + " bytes");
        }
      }
    }

    private HandshakeException timedOut(SocketTimeoutException cause) {
      long millis = bound.toMillis();
      HandshakeException e =
          failure(
              Reason.TIMED_OUT,
              "no answer within "
                  + (millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms")
                  + " (the handshake's deadline)");
      if (cause != null) {
        e.initCause(cause);
      }
      return e;
    }

    /** Starts the handshake over the bytes that arrived so far. */
    void rewind() {
      read = 0;
      stepStart = 0;
      step = "the handshake";
    }

    /** The bytes after the last read: the start of the stream. */
    ByteBuffer rest() {
      if (buffered() == 0) {
        return ByteBuffer.allocate(0);
      }
      return ByteBuffer.wrap(Arrays.copyOfRange(in.array(), read, in.position()));
    }
  }
}
