package dev.protochain.testkit.internal;

import java.net.InetSocketAddress;

/**
 * The chains one contract case runs over, by entry name.
 *
 * @param label what the case is called in test names, such as {@code tcp4}
 * @param bind where its sockets bind: a loopback address with port 0
 * @param stream whether its sockets are stream sockets
 * @param subject the chain (or base) under test
 * @param peer the chain the peer of a connection uses: for a layer, the same layer through a second
 *     entry, so that the subject reaches its final cleanup while the peer lives on
 * @param probe the subject with the testkit's pass-through probe above it
 * @param baseId the id of the base entry at the bottom
 * @param separatePeer whether the subject's final cleanup ends the peer too unless it runs in a
 *     second runtime (a base under test)
 */
public record Chains(
    String label,
    InetSocketAddress bind,
    boolean stream,
    String subject,
    String peer,
    String probe,
    int baseId,
    boolean separatePeer) {

  /** Returns the label. */
  @Override
  public String toString() {
    return label;
  }
}
