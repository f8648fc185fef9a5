package dev.protochain.api;

import java.util.Locale;

/** The socket type of a catalog entry [Winsock {@code iSocketType}]. */
public enum SocketType {
  /** A reliable, ordered byte stream [{@code SOCK_STREAM}]. */
  STREAM,
  /** Independent, possibly lost or reordered datagrams [{@code SOCK_DGRAM}]. */
  DATAGRAM;

  /**
   * Parses a socket type from its name, ignoring case; accepts {@code stream}, {@code datagram} and
   * the alias {@code dgram}.
   *
   * @throws IllegalArgumentException if {@code text} names no type
   */
  public static SocketType parse(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "stream":
        return STREAM;
      case "datagram":
      case "dgram":
        return DATAGRAM;
      default:
        throw new IllegalArgumentException(
            "unknown socket type '" + text + "' (expected: stream or datagram)");
    }
  }
}
