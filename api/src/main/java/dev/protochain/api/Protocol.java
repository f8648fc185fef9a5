package dev.protochain.api;

import java.util.Locale;

/** The protocol of a catalog entry [Winsock {@code iProtocol}]. */
public enum Protocol {
  /** TCP [{@code IPPROTO_TCP}]. */
  TCP,
  /** UDP [{@code IPPROTO_UDP}]. */
  UDP,
  /** The in-memory loopback protocol, stream or datagram. */
  MEMORY;

  /**
   * Parses a protocol from its name, ignoring case.
   *
   * @throws IllegalArgumentException if {@code text} names no protocol
   */
  public static Protocol parse(String text) {
    for (Protocol p : values()) {
      if (p.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown protocol '" + text + "' (expected: tcp, udp or memory)");
  }
}
