package dev.protochain.runtime.bridge;

import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} whose sockets pass through a chain: hand it to any client that accepts
 * one (OkHttp's {@code socketFactory(...)}, a JDBC driver's {@code socketFactory} property, …) and
 * every connection it makes runs over the chain.
 *
 * <pre>{@code
 * ChainSocketFactory factory = ChainSocketFactory.forEntry(runtime, "metrics-tls-tcp4");
 * OkHttpClient client = new OkHttpClient.Builder().socketFactory(factory).build();
 * }</pre>
 *
 * <p>Each socket is one session: it starts its chain up when it binds or connects and cleans it up
 * when it closes, so the chain's providers stay loaded exactly as long as a socket needs them. The
 * sockets support streams, {@code SO_TIMEOUT} (mapped to {@link
 * dev.protochain.api.ChainSocketOptions#RECEIVE_TIMEOUT}), connect timeouts, half-close, linger and
 * the standard options their chain's base supports; unsupported options throw {@link
 * java.net.SocketException}. {@link Socket#getChannel()} is {@code null}.
 *
 * <p>The factory and its sockets are thread-safe: one thread may read while another writes and a
 * third closes. All sockets of a factory share its runtime.
 */
public final class ChainSocketFactory extends SocketFactory {

  private final Target target;

  private ChainSocketFactory(Target target) {
    this.target = target;
  }

  /**
   * Returns a factory whose sockets pass through the entry named {@code entry} (a chain or a base).
   */
  public static ChainSocketFactory forEntry(ChainRuntime runtime, String entry) {
    return new ChainSocketFactory(
        Target.entry(
            Objects.requireNonNull(runtime, "runtime"), Objects.requireNonNull(entry, "entry")));
  }

  /**
   * Returns a factory whose sockets pass through the entry an application asking for (family of the
   * address they connect to, stream, TCP) gets, as the catalog orders it.
   */
  public static ChainSocketFactory forSelection(ChainRuntime runtime) {
    return new ChainSocketFactory(Target.select(Objects.requireNonNull(runtime, "runtime")));
  }

  /** Returns an unconnected socket; it starts its chain up when it binds or connects. */
  @Override
  public Socket createSocket() {
    return new BridgeSocket(target);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected(
        new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port), null);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected(
        new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
  }

  private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
    if (remote.isUnresolved()) {
      throw new java.net.UnknownHostException(remote.getHostString());
    }
    BridgeSocket s = new BridgeSocket(target);
    try {
      if (local != null) {
        s.bind(local);
      }
      s.connect(remote);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Returns {@code ChainSocketFactory[entry 'x']}. */
  @Override
  public String toString() {
    return "ChainSocketFactory[" + target + "]";
  }
}
