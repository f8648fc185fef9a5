package dev.protochain.base.internal;

import static java.net.StandardSocketOptions.SO_BROADCAST;
import static java.net.StandardSocketOptions.SO_RCVBUF;
import static java.net.StandardSocketOptions.SO_REUSEADDR;
import static java.net.StandardSocketOptions.SO_SNDBUF;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractBaseSocket;
import dev.protochain.api.spi.ProviderScope;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Set;

/**
 * A UDP socket over a {@link DatagramChannel} in blocking mode, opened with the socket.
 *
 * <p>{@link #connect} fixes the peer of {@link #send} and {@link #receive} (its timeout is ignored:
 * nothing is exchanged); an unconnected socket's {@link #receive} takes a datagram from anyone.
 * Sending or receiving binds an unbound socket to an ephemeral port. A datagram longer than the
 * receiving buffer is truncated. With a receive timeout, receiving goes through the channel's
 * socket adaptor, which honours {@code SO_TIMEOUT}. Datagram sockets do not listen, accept or shut
 * down.
 *
 * <p>This class is thread-safe.
 */
public final class UdpSocket extends AbstractBaseSocket {

  private static final Set<SocketOption<?>> OPTIONS =
      optionSet(
          SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR, SO_BROADCAST, ChainSocketOptions.RECEIVE_TIMEOUT);

  private final StandardProtocolFamily family;
  private final DatagramChannel channel;

  /** Last known addresses, for toString after close. */
  private volatile InetSocketAddress localSeen;

  private volatile InetSocketAddress remoteSeen;

  /** Opens an unbound datagram socket of {@code family} (INET or INET6). */
  public UdpSocket(ProviderScope scope, StandardProtocolFamily family) throws IOException {
    super(scope);
    this.family = family;
    this.channel = DatagramChannel.open(family);
  }

  @Override
  public SocketType type() {
    return SocketType.DATAGRAM;
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return OPTIONS;
  }

  @Override
  public void bind(SocketAddress local) throws IOException {
    InetSocketAddress address = local == null ? null : checkIp(local, family, "bind");
    ensureOpen("bind");
    try {
      synchronized (lock) {
        if (channel.getLocalAddress() != null) {
          throw illegalState("bind", "the socket is already bound (expected: one bind)");
        }
        channel.bind(address);
      }
      noteLocal();
    } catch (IOException | RuntimeException e) {
      throw translate(e, "bind");
    }
  }

  /** Not supported: datagram sockets do not listen. */
  @Override
  public void listen(int backlog) {
    throw unsupported("listen", "datagram sockets do not listen (expected: bind and receiveFrom)");
  }

  /** Not supported: datagram sockets do not accept. */
  @Override
  public ChainSocket accept() {
    throw unsupported("accept", "datagram sockets do not accept (expected: bind and receiveFrom)");
  }

  /**
   * Fixes the peer of {@link #send} and {@link #receive}; {@code timeout} is checked and ignored.
   */
  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    InetSocketAddress target = checkIp(remote, family, "connect");
    checkConnectTimeout(timeout);
    ensureOpen("connect");
    try {
      synchronized (lock) {
        if (channel.isConnected()) {
          throw illegalState("connect", "the socket is already connected (expected: one connect)");
        }
        channel.connect(target);
        remoteSeen = target;
      }
      noteLocal();
    } catch (IOException | RuntimeException e) {
      throw translate(e, "connect");
    }
  }

  /** Sends {@code src} as one datagram to the connected peer and returns its length. */
  @Override
  public int send(ByteBuffer src) throws IOException {
    ensureOpen("send");
    if (!channel.isConnected()) {
      throw illegalState(
          "send", "the socket is not connected (expected: connect first, or sendTo)");
    }
    try {
      return channel.write(src);
    } catch (IOException | RuntimeException e) {
      throw translate(e, "send");
    }
  }

  /**
   * Receives one datagram, from the connected peer if any, truncated to fit, and returns how many
   * bytes were put in {@code dst}.
   */
  @Override
  public int receive(ByteBuffer dst) throws IOException {
    ensureOpen("receive");
    int start = dst.position();
    try {
      if (channel.isConnected() && receiveTimeout().isZero()) {
        return channel.read(dst);
      }
      receiveDatagram(dst);
      return dst.position() - start;
    } catch (IOException | RuntimeException e) {
      throw translate(e, "receive");
    }
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
    InetSocketAddress to = checkIp(target, family, "sendTo");
    ensureOpen("sendTo");
    try {
      int n = channel.send(src, to);
      if (localSeen == null) {
        noteLocal();
      }
      return n;
    } catch (IOException | RuntimeException e) {
      throw translate(e, "sendTo");
    }
  }

  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) throws IOException {
    ensureOpen("receiveFrom");
    try {
      return receiveDatagram(dst);
    } catch (IOException | RuntimeException e) {
      throw translate(e, "receiveFrom");
    }
  }

  private SocketAddress receiveDatagram(ByteBuffer dst) throws IOException {
    Duration timeout = receiveTimeout();
    if (timeout.isZero()) {
      SocketAddress sender = channel.receive(dst);
      if (localSeen == null) {
        noteLocal();
      }
      return sender;
    }
    if (channel.getLocalAddress() == null) {
      synchronized (lock) {
        if (channel.getLocalAddress() == null) {
          channel.bind(null);
        }
      }
      noteLocal();
    }
    DatagramSocket adaptor = channel.socket();
    adaptor.setSoTimeout(timeoutMillis(timeout));
    if (dst.hasArray()) {
      DatagramPacket packet =
          new DatagramPacket(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
      adaptor.receive(packet);
      dst.position(dst.position() + packet.getLength());
      return packet.getSocketAddress();
    }
    byte[] bytes = new byte[dst.remaining()];
    DatagramPacket packet = new DatagramPacket(bytes, bytes.length);
    adaptor.receive(packet);
    dst.put(bytes, 0, packet.getLength());
    return packet.getSocketAddress();
  }

  /** Not supported: a datagram socket has no stream to end. */
  @Override
  public void shutdownInput() {
    throw unsupported("shutdownInput", "a datagram socket has no stream to end (expected: close)");
  }

  /** Not supported: a datagram socket has no stream to end. */
  @Override
  public void shutdownOutput() {
    throw unsupported("shutdownOutput", "a datagram socket has no stream to end (expected: close)");
  }

  @Override
  protected void closeTransport() throws IOException {
    channel.close();
  }

  @Override
  protected boolean isTransportOpen() {
    return channel.isOpen();
  }

  @Override
  protected <T> void setTransportOption(SocketOption<T> name, T value) throws IOException {
    channel.setOption(name, value);
  }

  @Override
  protected <T> T getTransportOption(SocketOption<T> name) throws IOException {
    return channel.getOption(name);
  }

  @Override
  public SocketAddress localAddress() throws IOException {
    ensureOpen("localAddress");
    try {
      return channel.getLocalAddress();
    } catch (IOException | RuntimeException e) {
      throw translate(e, "localAddress");
    }
  }

  @Override
  public SocketAddress remoteAddress() throws IOException {
    ensureOpen("remoteAddress");
    try {
      return channel.getRemoteAddress();
    } catch (IOException | RuntimeException e) {
      throw translate(e, "remoteAddress");
    }
  }

  @Override
  protected String describeTransport() {
    InetSocketAddress local = localSeen;
    InetSocketAddress remote = remoteSeen;
    return (local == null ? "unbound" : format(local))
        + (remote == null ? "" : " -> " + format(remote));
  }

  private void noteLocal() throws IOException {
    localSeen = (InetSocketAddress) channel.getLocalAddress();
  }
}
