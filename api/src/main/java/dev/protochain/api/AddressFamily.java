package dev.protochain.api;

/**
 * The address family of a catalog entry [Winsock {@code iAddressFamily}].
 *
 * <p>{@link #INET} and {@link #INET6} name the IP transports; {@link #MEMORY} names the in-memory
 * loopback, whose addresses are {@link java.net.InetSocketAddress}es whose port alone identifies an
 * endpoint inside one provider instance.
 */
public enum AddressFamily {
  /** IPv4 [{@code AF_INET}]. */
  INET,
  /** IPv6 [{@code AF_INET6}]. */
  INET6,
  /** The in-memory loopback of one provider instance; no counterpart in Winsock. */
  MEMORY;

  /**
   * Parses a family from its name, ignoring case; accepts {@code inet}, {@code inet6}, {@code
   * memory} and the aliases {@code ipv4} and {@code ipv6}.
   *
   * @throws IllegalArgumentException if {@code text} names no family
   */
  public static AddressFamily parse(String text) {
    switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "inet":
      case "ipv4":
        return INET;
      case "inet6":
      case "ipv6":
        return INET6;
      case "memory":
        return MEMORY;
      default:
        throw new IllegalArgumentException(
            "unknown address family '" + text + "' (expected: inet, inet6 or memory)");
    }
  }
}
