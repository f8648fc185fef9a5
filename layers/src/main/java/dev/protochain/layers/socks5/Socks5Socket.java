package dev.protochain.layers.socks5;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.ForwardingSocket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A stream socket that connects through a SOCKS5 proxy and is a plain stream to the target
 * afterwards. Thread-safety is that of the socket below; {@link #connect} is called once.
 */
final class Socks5Socket extends ForwardingSocket {

  private final Socks5Layer layer;
  private final AddressFamily family;
  private volatile InetSocketAddress target;

  Socks5Socket(Socks5Layer layer, ChainSocket below, AddressFamily family) {
    super(below);
    this.layer = layer;
    this.family = family;
  }

  /** Never called: {@link #accept()} is refused before the socket below is asked. */
  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    throw unsupported("accept");
  }

  /** Refused; see {@link Socks5Layer}. */
  @Override
  public void bind(SocketAddress local) {
    throw unsupported("bind");
  }

  /** Refused; see {@link Socks5Layer}. */
  @Override
  public void listen(int backlog) {
    throw unsupported("listen");
  }

  /** Refused; see {@link Socks5Layer}. */
  @Override
  public ChainSocket accept() {
    throw unsupported("accept");
  }

  private UnsupportedOperationException unsupported(String operation) {
    return new UnsupportedOperationException(
        operation
            + " is not supported by socks5 ("
            + layer.described()
            + "): a socks5 socket only connects through its proxy (SOCKS BIND and UDP ASSOCIATE are not implemented)");
  }

  /**
   * Connects to the proxy, then asks it to connect to {@code remote}; a failure closes the socket.
   *
   * @throws IllegalArgumentException if {@code remote} is not an {@link InetSocketAddress}, or
   *     names a host SOCKS5 cannot carry (longer than 255 bytes, or not a host name)
   */
  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(timeout, "timeout");
    if (!(remote instanceof InetSocketAddress)) {
      throw new IllegalArgumentException(
          "connect on "
              + this
              + ": "
              + remote
              + " is a "
              + remote.getClass().getName()
              + " (expected: an InetSocketAddress, resolved or unresolved)");
    }
    InetSocketAddress to = (InetSocketAddress) remote;
    InetSocketAddress asked = layer.requested(to); // a name resolved here, if at all, comes first
    byte[] request =
        Socks5Handshake.request(asked); // a target SOCKS5 cannot carry fails before any connection
    long start = System.nanoTime();
    InetSocketAddress proxy = layer.resolveProxy(family);
    try {
      super.connect(proxy, timeout);
    } catch (ConnectException e) {
      ConnectException named =
          new ConnectException(
              "socks5 proxy "
                  + layer.proxy()
                  + " ("
                  + layer.described()
                  + ") is not reachable: "
                  + e.getMessage());
      named.initCause(e);
      throw named;
    }
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
    try {
      new Socks5Handshake(below(), layer.proxy(), asked, bound)
          .connect(layer.credentials(), request);
    } catch (IOException | RuntimeException e) {
      try {
        below().close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    target = to;
  }

  /** Returns the target once connected (not the proxy), before that what the socket below says. */
  @Override
  public SocketAddress remoteAddress() throws IOException {
    InetSocketAddress t = target;
    return t != null ? t : super.remoteAddress();
  }

  /** Returns {@code Socks5Socket[via 127.0.0.1:1080 to example.org:80] -> ...}. */
  @Override
  public String toString() {
    InetSocketAddress t = target;
    return "Socks5Socket[via "
        + layer.proxy()
        + (t == null ? "" : " to " + Socks5Handshake.format(t))
        + "] -> "
        + below();
  }
}
