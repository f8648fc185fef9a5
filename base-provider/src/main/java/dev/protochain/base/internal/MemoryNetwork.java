package dev.protochain.base.internal;

import dev.protochain.api.spi.AbstractBaseSocket;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The port namespace of one in-memory provider instance: which socket holds which port.
 *
 * <p>Each instance is its own world; two instances never see each other's ports. Addresses are
 * {@code InetSocketAddress(InetAddress.getLoopbackAddress(), port)} and the port alone identifies
 * an endpoint. Ephemeral ports are taken from {@value #FIRST_EPHEMERAL} to {@value #LAST_EPHEMERAL}
 * in turn, skipping those in use.
 *
 * <p>This class is thread-safe.
 */
public final class MemoryNetwork {

  /** The first ephemeral port. */
  public static final int FIRST_EPHEMERAL = 49152;

  /** The last ephemeral port. */
  public static final int LAST_EPHEMERAL = 65535;

  private final int bufferSize;
  private final Map<Integer, AbstractBaseSocket> ports = new HashMap<>(); // guarded by this
  private int nextEphemeral = FIRST_EPHEMERAL; // guarded by this

  /**
   * Creates an empty network whose sockets buffer {@code bufferSize} bytes per direction unless
   * their {@code SO_RCVBUF} says otherwise.
   *
   * @throws IllegalArgumentException if {@code bufferSize} is not positive
   */
  public MemoryNetwork(int bufferSize) {
    if (bufferSize <= 0) {
      throw new IllegalArgumentException("memory buffer size " + bufferSize + " (expected: > 0)");
    }
    this.bufferSize = bufferSize;
  }

  /** Returns the default receive buffer size of this network's sockets, in bytes. */
  int bufferSize() {
    return bufferSize;
  }

  /**
   * Gives {@code port} to {@code owner}, or an ephemeral port if {@code port} is 0, and returns it.
   *
   * @throws BindException if the port is taken, or no ephemeral port is free
   */
  synchronized int bind(int port, AbstractBaseSocket owner) throws BindException {
    if (port != 0) {
      if (ports.putIfAbsent(port, owner) != null) {
        throw new BindException("Address already in use: memory port " + port);
      }
      return port;
    }
    for (int i = FIRST_EPHEMERAL; i <= LAST_EPHEMERAL; i++) {
      int candidate = nextEphemeral;
      nextEphemeral = candidate == LAST_EPHEMERAL ? FIRST_EPHEMERAL : candidate + 1;
      if (ports.putIfAbsent(candidate, owner) == null) {
        return candidate;
      }
    }
    throw new BindException(
        "no free ephemeral memory port (expected: one of "
            + FIRST_EPHEMERAL
            + " to "
            + LAST_EPHEMERAL
            + " unused)");
  }

  /** Frees {@code port} if {@code owner} holds it. */
  synchronized void release(int port, AbstractBaseSocket owner) {
    ports.remove(port, owner);
  }

  /** Returns the socket holding {@code port}, or {@code null}. */
  synchronized AbstractBaseSocket lookup(int port) {
    return ports.get(port);
  }

  /** Forgets every port; called at unload, after every socket was closed. */
  public synchronized void clear() {
    ports.clear();
  }

  /** Returns the address of {@code port} in every in-memory network. */
  static InetSocketAddress address(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /** Returns {@code memory network (3 ports bound)}. */
  @Override
  public synchronized String toString() {
    return "memory network (" + ports.size() + " ports bound)";
  }
}
