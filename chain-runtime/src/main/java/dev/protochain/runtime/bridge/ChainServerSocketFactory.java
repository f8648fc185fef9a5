package dev.protochain.runtime.bridge;

import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Objects;
import javax.net.ServerSocketFactory;

/**
 * A {@link ServerSocketFactory} whose server sockets listen through a chain; each accepted {@link
 * java.net.Socket} passes through the same chain. A server socket holds one session from its bind
 * to its close; each accepted socket holds a session of its own, so closing the server socket
 * leaves accepted connections working, as with plain sockets.
 *
 * <p>The factory and its sockets are thread-safe.
 */
public final class ChainServerSocketFactory extends ServerSocketFactory {

  private final Target target;

  private ChainServerSocketFactory(Target target) {
    this.target = target;
  }

  /** Returns a factory whose server sockets listen through the entry named {@code entry}. */
  public static ChainServerSocketFactory forEntry(ChainRuntime runtime, String entry) {
    return new ChainServerSocketFactory(
        Target.entry(
            Objects.requireNonNull(runtime, "runtime"), Objects.requireNonNull(entry, "entry")));
  }

  /**
   * Returns a factory whose server sockets listen through the entry selected for their address's
   * family.
   */
  public static ChainServerSocketFactory forSelection(ChainRuntime runtime) {
    return new ChainServerSocketFactory(Target.select(Objects.requireNonNull(runtime, "runtime")));
  }

  /** Returns an unbound server socket. */
  @Override
  public ServerSocket createServerSocket() throws IOException {
    return new BridgeServerSocket(target);
  }

  @Override
  public ServerSocket createServerSocket(int port) throws IOException {
    return bound(new InetSocketAddress(port), 50);
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog) throws IOException {
    return bound(new InetSocketAddress(port), backlog);
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress)
      throws IOException {
    return bound(new InetSocketAddress(ifAddress, port), backlog);
  }

  private ServerSocket bound(InetSocketAddress address, int backlog) throws IOException {
    BridgeServerSocket s = new BridgeServerSocket(target);
    try {
      s.bind(address, backlog);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Returns {@code ChainServerSocketFactory[entry 'x']}. */
  @Override
  public String toString() {
    return "ChainServerSocketFactory[" + target + "]";
  }
}
