package dev.protochain.base.internal;

import static java.net.StandardSocketOptions.SO_KEEPALIVE;
import static java.net.StandardSocketOptions.SO_LINGER;
import static java.net.StandardSocketOptions.SO_RCVBUF;
import static java.net.StandardSocketOptions.SO_REUSEADDR;
import static java.net.StandardSocketOptions.SO_SNDBUF;
import static java.net.StandardSocketOptions.TCP_NODELAY;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractBaseSocket;
import dev.protochain.api.spi.ProviderScope;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A TCP socket over {@code java.nio} channels in blocking mode.
 *
 * <p>NIO separates listening from connected channels, so the channel is made lazily: {@link #bind}
 * only remembers the address, {@link #listen} opens a {@link ServerSocketChannel} and {@link
 * #connect} a {@link SocketChannel}, each bound to that address first. An address refused by the OS
 * (in use, not local) is therefore reported by {@code listen} or {@code connect}. Options set
 * before the channel exists are remembered and applied when it is made; options a listening socket
 * cannot hold ({@code SO_LINGER}, {@code SO_SNDBUF}, {@code TCP_NODELAY}, {@code SO_KEEPALIVE}) are
 * applied to each socket it accepts, as the OS does for the others. {@code RECEIVE_TIMEOUT} is not
 * inherited.
 *
 * <p>Without a receive timeout, {@link #receive} and {@link #accept} call the channel directly;
 * with one they go through the channel's socket adaptor, which honours {@code SO_TIMEOUT}. {@link
 * #send} writes every byte. {@link #sendTo} and {@link #receiveFrom} are not supported.
 *
 * <p>This class is thread-safe.
 */
public final class TcpSocket extends AbstractBaseSocket {

  private static final Set<SocketOption<?>> OPTIONS =
      optionSet(
          SO_LINGER,
          SO_RCVBUF,
          SO_SNDBUF,
          TCP_NODELAY,
          SO_KEEPALIVE,
          SO_REUSEADDR,
          ChainSocketOptions.RECEIVE_TIMEOUT);

  /**
   * Options the application set before the socket was connected, other than RECEIVE_TIMEOUT, for
   * the channel not made yet or, on a listener, for the connections it accepts; guarded by lock.
   * Replaced, never changed, so that an accept hands it on without a copy. A connected socket's
   * options live on its channel alone: a connection that kept a map for its life would pay for it.
   */
  private Map<SocketOption<?>, Object> options = Map.of();

  /** The address from bind(), until a channel is bound to it; guarded by lock. */
  private volatile InetSocketAddress bindAddress;

  private volatile ServerSocketChannel server;
  private volatile SocketChannel channel;
  private volatile boolean connected;
  private volatile boolean inputShut;

  /** The adaptor's input stream, made at the first timed receive. */
  private volatile InputStream timedInput;

  /** Last known addresses, for toString after close. */
  private volatile InetSocketAddress localSeen;

  private volatile InetSocketAddress remoteSeen;

  /** Creates an unbound, unconnected socket of the family of {@code scope}'s entry. */
  public TcpSocket(ProviderScope scope) {
    super(scope);
  }

  /** Creates the socket of a connection a listener accepted, with the listener's options. */
  private TcpSocket(
      ProviderScope scope, SocketChannel accepted, Map<SocketOption<?>, Object> inherited)
      throws IOException {
    super(scope);
    apply(accepted, inherited, OPTIONS);
    channel = accepted;
    connected = true;
    localSeen = (InetSocketAddress) accepted.getLocalAddress();
    remoteSeen = (InetSocketAddress) accepted.getRemoteAddress();
  }

  @Override
  public SocketType type() {
    return SocketType.STREAM;
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return OPTIONS;
  }

  /* ---- binding, listening, connecting ---- */

  /** Remembers {@code local} for the channel {@link #listen} or {@link #connect} will make. */
  @Override
  public void bind(SocketAddress local) throws IOException {
    InetSocketAddress address = local == null ? wildcard() : checkIp(local, family(), "bind");
    synchronized (lock) {
      ensureOpen("bind");
      if (bindAddress != null || server != null || channel != null) {
        throw illegalState(
            "bind", "the socket is already bound (expected: one bind, before listen or connect)");
      }
      bindAddress = address;
      localSeen = address;
    }
  }

  /** Opens and binds the listening channel; a second call does nothing, as in Winsock. */
  @Override
  public void listen(int backlog) throws IOException {
    synchronized (lock) {
      ensureOpen("listen");
      if (server != null) {
        return;
      }
      if (channel != null) {
        throw illegalState(
            "listen",
            "the socket is "
                + (connected ? "connected" : "connecting")
                + " (expected: an unconnected socket)");
      }
      ServerSocketChannel ss = ServerSocketChannel.open(family());
      try {
        apply(ss, options, ss.supportedOptions());
        ss.bind(bindAddress, Math.max(0, backlog));
        localSeen = (InetSocketAddress) ss.getLocalAddress();
      } catch (BindException e) {
        closeQuietly(ss, e);
        throw named(e, "listen");
      } catch (IOException | RuntimeException e) {
        closeQuietly(ss, e);
        throw e;
      }
      server = ss;
    }
  }

  @Override
  public ChainSocket accept() throws IOException {
    ServerSocketChannel ss = server;
    ensureOpen("accept");
    if (ss == null) {
      throw illegalState("accept", "the socket is not listening (expected: listen first)");
    }
    Duration timeout = receiveTimeout();
    SocketChannel accepted;
    try {
      if (timeout.isZero()) {
        accepted = ss.accept();
      } else {
        ServerSocket adaptor = ss.socket();
        adaptor.setSoTimeout(timeoutMillis(timeout));
        accepted = adaptor.accept().getChannel();
      }
    } catch (IOException | RuntimeException e) {
      throw translate(e, "accept");
    }
    Map<SocketOption<?>, Object> inherited;
    synchronized (lock) {
      inherited = options; // never changed once set: no copy
    }
    try {
      TcpSocket socket = new TcpSocket(scope(), accepted, inherited);
      scope().track(socket, "accept");
      return socket;
    } catch (IOException | RuntimeException e) {
      closeQuietly(accepted, e);
      throw e;
    }
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    InetSocketAddress target = checkIp(remote, family(), "connect");
    checkConnectTimeout(timeout);
    SocketChannel ch;
    synchronized (lock) {
      ensureOpen("connect");
      if (server != null) {
        throw illegalState("connect", "the socket is listening (expected: an unconnected socket)");
      }
      if (channel != null) {
        throw illegalState(
            "connect", connected ? "the socket is already connected" : "a connect is in progress");
      }
      ch = SocketChannel.open(family());
      try {
        apply(ch, options, OPTIONS);
        if (bindAddress != null) {
          ch.bind(bindAddress);
        }
      } catch (BindException e) {
        closeQuietly(ch, e);
        throw named(e, "connect");
      } catch (IOException | RuntimeException e) {
        closeQuietly(ch, e);
        throw e;
      }
      // Published under the lock: a close from now on closes ch and so ends the connect.
      channel = ch;
      remoteSeen = target;
    }
    try {
      if (timeout.isZero()) {
        connectUntimed(ch, target);
      } else {
        ch.socket().connect(target, timeoutMillis(timeout));
      }
      localSeen = (InetSocketAddress) ch.getLocalAddress();
      connected = true;
    } catch (IOException | RuntimeException e) {
      // NIO closes a channel whose connect failed; forget it so that connect may be retried.
      synchronized (lock) {
        if (channel == ch) {
          channel = null;
          remoteSeen = null;
        }
      }
      closeQuietly(ch, e);
      IOException failure = translate(e, "connect");
      if (failure instanceof ConnectException && failure == e) {
        ConnectException withContext =
            new ConnectException(
                e.getMessage() + ": " + format(target) + " (" + scope().describe() + ")");
        withContext.initCause(e);
        throw withContext;
      }
      throw failure;
    }
  }

  /**
   * Connects {@code ch} without a bound, waiting only when the handshake has not completed by the
   * time the connect returns. A blocking channel's connect always waits once for the socket to be
   * writable, and on a virtual thread that wait parks it, which keeps every frame of the chain's
   * connect in the stack chunk the thread holds from then on, and costs a round through the JDK's
   * poller. A connect in non-blocking mode followed by {@link SocketChannel#finishConnect()}
   * usually completes at once over loopback (Linux runs the handshake within the connect call);
   * otherwise the channel goes back to blocking mode and {@code finishConnect} waits as the
   * blocking connect would have, with the same failures.
   */
  private static void connectUntimed(SocketChannel ch, InetSocketAddress target)
      throws IOException {
    if (Thread.currentThread().isInterrupted()) {
      ch.connect(target); // fails as a blocking connect does for an interrupted thread
      return;
    }
    ch.configureBlocking(false);
    boolean done = ch.connect(target) || ch.finishConnect(); // a failure closes ch: no mode to undo
    ch.configureBlocking(true);
    if (!done) {
      ch.finishConnect();
    }
  }

  /* ---- data ---- */

  /**
   * Writes every remaining byte of {@code src}, blocking as needed, and returns how many. A
   * blocking channel writes them all at once unless the socket's send buffer fills, so the loop
   * comes after one write rather than around it: where it never runs, C2 leaves it out of the
   * compiled code, and a caller that inlines this method holds one copy of the channel's write, not
   * the two or more a loop around it compiled into (measured: 47 kB of code for this method at
   * 10,000 connections, against 17 kB for the channel's write alone).
   */
  @Override
  public int send(ByteBuffer src) throws IOException {
    SocketChannel ch = connectedChannel("send");
    if (!src.hasRemaining()) {
      return 0;
    }
    try {
      int total = ch.write(src);
      while (src.hasRemaining()) {
        total += ch.write(src);
      }
      return total;
    } catch (IOException | RuntimeException e) {
      throw translate(e, "send");
    }
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    SocketChannel ch = connectedChannel("receive");
    Duration timeout = receiveTimeout();
    try {
      return timeout.isZero() ? ch.read(dst) : timedRead(ch, dst, timeout);
    } catch (IOException | RuntimeException e) {
      throw translate(e, "receive");
    }
  }

  private int timedRead(SocketChannel ch, ByteBuffer dst, Duration timeout) throws IOException {
    if (!dst.hasRemaining()) {
      return 0;
    }
    if (inputShut) {
      return -1; // the adaptor refuses its stream after shutdownInput; the channel would say -1
    }
    Socket adaptor = ch.socket();
    adaptor.setSoTimeout(timeoutMillis(timeout));
    InputStream in = timedInput;
    if (in == null) {
      in = adaptor.getInputStream();
      timedInput = in;
    }
    if (dst.hasArray()) {
      int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
      if (n > 0) {
        dst.position(dst.position() + n);
      }
      return n;
    }
    byte[] bytes = new byte[Math.min(dst.remaining(), 64 * 1024)];
    int n = in.read(bytes, 0, bytes.length);
    if (n > 0) {
      dst.put(bytes, 0, n);
    }
    return n;
  }

  /** Not supported: a TCP socket has one peer; use {@link #send}. */
  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) {
    throw unsupported("sendTo", "a stream socket has no datagrams (expected: connect and send)");
  }

  /** Not supported: a TCP socket has one peer; use {@link #receive}. */
  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) {
    throw unsupported("receiveFrom", "a stream socket has no datagrams (expected: receive)");
  }

  @Override
  public void shutdownInput() throws IOException {
    SocketChannel ch = connectedChannel("shutdownInput");
    try {
      inputShut = true;
      ch.shutdownInput();
    } catch (IOException | RuntimeException e) {
      throw translate(e, "shutdownInput");
    }
  }

  @Override
  public void shutdownOutput() throws IOException {
    SocketChannel ch = connectedChannel("shutdownOutput");
    try {
      ch.shutdownOutput();
    } catch (IOException | RuntimeException e) {
      throw translate(e, "shutdownOutput");
    }
  }

  private SocketChannel connectedChannel(String operation) throws IOException {
    ensureOpen(operation);
    SocketChannel ch = channel;
    if (ch == null || !connected) {
      throw illegalState(
          operation, "the socket is not connected (expected: connect or accept first)");
    }
    return ch;
  }

  /* ---- closing ---- */

  /** Closes the channels; {@code SO_LINGER}, already on the channel, decides how. */
  @Override
  protected void closeTransport() throws IOException {
    ServerSocketChannel ss;
    SocketChannel ch;
    synchronized (lock) {
      ss = server;
      ch = channel;
    }
    IOException failure = null;
    for (NetworkChannel c : new NetworkChannel[] {ss, ch}) {
      if (c != null) {
        try {
          c.close();
        } catch (IOException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  protected boolean isTransportOpen() {
    SocketChannel ch = channel;
    ServerSocketChannel ss = server;
    return (ch == null || ch.isOpen()) && (ss == null || ss.isOpen());
  }

  /* ---- options and addresses ---- */

  @Override
  protected <T> void setTransportOption(SocketOption<T> name, T value) throws IOException {
    synchronized (lock) {
      SocketChannel ch = channel;
      ServerSocketChannel ss = server;
      if (ch != null) {
        ch.setOption(name, value);
      } else if (ss != null && ss.supportedOptions().contains(name)) {
        ss.setOption(name, value);
      }
      if (!connected) {
        Map<SocketOption<?>, Object> next = new LinkedHashMap<>(options);
        next.put(name, value);
        options = next;
      }
    }
  }

  @Override
  protected <T> T getTransportOption(SocketOption<T> name) throws IOException {
    SocketChannel ch = channel;
    if (ch != null) {
      return ch.getOption(name);
    }
    ServerSocketChannel ss = server;
    if (ss != null && ss.supportedOptions().contains(name)) {
      return ss.getOption(name);
    }
    synchronized (lock) {
      Object value = options.get(name);
      if (value != null) {
        return name.type().cast(value);
      }
    }
    // No channel holds the option yet: report what a new one would have.
    try (SocketChannel probe = SocketChannel.open(family())) {
      return probe.getOption(name);
    }
  }

  /**
   * Returns the bound address; after {@link #bind} but before {@link #listen} or {@link #connect},
   * the address that was asked for.
   */
  @Override
  public SocketAddress localAddress() throws IOException {
    ensureOpen("localAddress");
    try {
      SocketChannel ch = channel;
      if (ch != null) {
        return ch.getLocalAddress();
      }
      ServerSocketChannel ss = server;
      if (ss != null) {
        return ss.getLocalAddress();
      }
      return bindAddress;
    } catch (IOException | RuntimeException e) {
      throw translate(e, "localAddress");
    }
  }

  @Override
  public SocketAddress remoteAddress() throws IOException {
    ensureOpen("remoteAddress");
    SocketChannel ch = channel;
    if (ch == null || !connected) {
      return null;
    }
    try {
      return ch.getRemoteAddress();
    } catch (IOException | RuntimeException e) {
      throw translate(e, "remoteAddress");
    }
  }

  @Override
  protected String describeTransport() {
    if (server != null) {
      return "listening " + format(localSeen);
    }
    if (channel != null) {
      return (connected ? "" : "connecting ") + format(localSeen) + " -> " + format(remoteSeen);
    }
    InetSocketAddress bound = bindAddress;
    return bound == null ? "unbound" : "bound " + format(bound);
  }

  /**
   * Returns the protocol family of the entry this socket's provider was loaded for: derived, not a
   * field, since every connection holds its socket for its life.
   */
  private StandardProtocolFamily family() {
    return scope().entry().family() == AddressFamily.INET6
        ? StandardProtocolFamily.INET6
        : StandardProtocolFamily.INET;
  }

  private InetSocketAddress wildcard() throws IOException {
    byte[] any = new byte[family() == StandardProtocolFamily.INET6 ? 16 : 4];
    return new InetSocketAddress(InetAddress.getByAddress(any), 0);
  }

  private static void apply(
      NetworkChannel target, Map<SocketOption<?>, Object> values, Set<SocketOption<?>> accepted)
      throws IOException {
    if (values.isEmpty()) {
      return;
    }
    for (Map.Entry<SocketOption<?>, Object> e : values.entrySet()) {
      if (accepted.contains(e.getKey()) && target.supportedOptions().contains(e.getKey())) {
        @SuppressWarnings(
            "unchecked") // values only holds values checked against their option's type
        SocketOption<Object> option = (SocketOption<Object>) e.getKey();
        target.setOption(option, e.getValue());
      }
    }
  }

  /** Returns a refused bind's failure naming the address and the socket. */
  private BindException named(BindException e, String operation) {
    BindException named =
        new BindException(
            e.getMessage() + ": " + format(bindAddress) + " (" + operation + " on " + this + ")");
    named.initCause(e);
    return named;
  }

  private static void closeQuietly(NetworkChannel c, Exception primary) {
    try {
      c.close();
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }
}
