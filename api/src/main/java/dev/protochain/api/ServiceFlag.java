package dev.protochain.api;

/**
 * A service a catalog entry provides [Winsock {@code dwServiceFlags1}, the {@code XP1_*} bits].
 *
 * <p>A layer may require services of the chain below it; the catalog refuses a chain whose lower
 * part lacks one.
 */
public enum ServiceFlag {
  /** Datagrams without connections [{@code XP1_CONNECTIONLESS}]. */
  CONNECTIONLESS,
  /** Every byte sent arrives unless the connection fails [{@code XP1_GUARANTEED_DELIVERY}]. */
  GUARANTEED_DELIVERY,
  /** Bytes arrive in the order sent [{@code XP1_GUARANTEED_ORDER}]. */
  GUARANTEED_ORDER,
  /** Message boundaries are preserved [{@code XP1_MESSAGE_ORIENTED}]. */
  MESSAGE_ORIENTED,
  /**
   * A close may deliver what is still buffered before the connection ends [{@code
   * XP1_GRACEFUL_CLOSE}].
   */
  GRACEFUL_CLOSE,
  /** Datagrams may be broadcast [{@code XP1_SUPPORT_BROADCAST}]. */
  SUPPORT_BROADCAST
}
