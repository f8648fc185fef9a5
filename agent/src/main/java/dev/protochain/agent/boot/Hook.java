package dev.protochain.agent.boot;

import java.net.InetAddress;
import java.net.SocketAddress;

/**
 * The one class the agent's advice in {@code java.base} calls: defined in the bootstrap class
 * loader at premain, so the JDK's own classes can see it, and holding the handler the agent's
 * isolated runtime installs. Not API.
 */
public final class Hook {

  /** The handler, or null while the agent is not (or no longer) redirecting. */
  public static volatile Handler handler;

  private Hook() {}

  /**
   * What the advice asks. Every method returns quickly for a socket it does not know, and never
   * throws.
   */
  public interface Handler {

    /**
     * Returns where {@code socket} (a {@code SocketChannelImpl} or a {@code NioSocketImpl}) is to
     * connect instead of {@code target}, or {@code target} itself to leave it alone.
     */
    SocketAddress connect(Object socket, SocketAddress target);

    /** Returns the remote address {@code channel} is to report instead of {@code reported}. */
    SocketAddress remoteAddress(Object channel, SocketAddress reported);

    /** Returns the peer address {@code impl} is to report instead of {@code reported}. */
    InetAddress inetAddress(Object impl, InetAddress reported);

    /** Returns the peer port {@code impl} is to report instead of {@code reported}. */
    int port(Object impl, int reported);
  }
}
