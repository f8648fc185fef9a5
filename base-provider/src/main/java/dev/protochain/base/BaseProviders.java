package dev.protochain.base;

import java.util.UUID;

/**
 * Holds the ids and names of the base providers of this module, the ones their catalog entries
 * name.
 *
 * <p>The {@code *_ID} strings are those of the {@link dev.protochain.api.spi.ProviderInfo}
 * descriptors; the {@link UUID} constants are the same ids parsed. This class is immutable.
 */
public final class BaseProviders {

  /** The id of {@link TcpProvider}, as text. */
  public static final String TCP_ID = "e85577c8-77f9-4b92-99fb-3692a01855bd";

  /** The id of {@link TcpProvider}. */
  public static final UUID TCP = UUID.fromString(TCP_ID);

  /** The name of {@link TcpProvider}. */
  public static final String TCP_NAME = "tcp";

  /** The id of {@link UdpProvider}, as text. */
  public static final String UDP_ID = "22eb1599-dac5-4d67-bcd6-e13e268039ad";

  /** The id of {@link UdpProvider}. */
  public static final UUID UDP = UUID.fromString(UDP_ID);

  /** The name of {@link UdpProvider}. */
  public static final String UDP_NAME = "udp";

  /** The id of {@link InMemoryProvider}, as text. */
  public static final String MEMORY_ID = "d2bc4dc3-028d-4d53-86cd-d1d3f4f94e65";

  /** The id of {@link InMemoryProvider}. */
  public static final UUID MEMORY = UUID.fromString(MEMORY_ID);

  /** The name of {@link InMemoryProvider}. */
  public static final String MEMORY_NAME = "memory";

  private BaseProviders() {}
}
