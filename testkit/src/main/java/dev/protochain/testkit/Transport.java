package dev.protochain.testkit;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.SocketType;
import dev.protochain.runtime.Catalog;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A built-in base entry the contracts run over, with the loopback address its sockets bind to.
 *
 * <p>Network transports use 127.0.0.1 or ::1 with ephemeral ports only; the in-memory ones need no
 * network at all.
 */
public enum Transport {
  /** TCP over IPv4, entry {@code tcp4} (1001). */
  TCP4("tcp4", "127.0.0.1"),
  /** TCP over IPv6, entry {@code tcp6} (1002). */
  TCP6("tcp6", "::1"),
  /** UDP over IPv4, entry {@code udp4} (1003). */
  UDP4("udp4", "127.0.0.1"),
  /** UDP over IPv6, entry {@code udp6} (1004). */
  UDP6("udp6", "::1"),
  /** The in-memory loopback, stream, entry {@code mem-stream} (1005). */
  MEM_STREAM("mem-stream", "127.0.0.1"),
  /** The in-memory loopback, datagram, entry {@code mem-dgram} (1006). */
  MEM_DGRAM("mem-dgram", "127.0.0.1");

  private final String entryName;
  private final String host;

  Transport(String entryName, String host) {
    this.entryName = entryName;
    this.host = host;
  }

  /** Returns the name of the built-in base entry, such as {@code tcp4}. */
  public String entryName() {
    return entryName;
  }

  /** Returns the built-in base entry. */
  public CatalogEntry entry() {
    return Catalog.builtin().entry(entryName).orElseThrow();
  }

  /** Returns whether the entry's sockets are stream sockets. */
  public boolean isStream() {
    return entry().type() == SocketType.STREAM;
  }

  /** Returns the loopback address sockets bind to. */
  public InetAddress host() {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("cannot parse the literal " + host, e);
    }
  }

  /** Returns the loopback address with port 0: bind to it for an ephemeral port. */
  public InetSocketAddress ephemeral() {
    return new InetSocketAddress(host(), 0);
  }

  /** Returns the entry name. */
  @Override
  public String toString() {
    return entryName;
  }
}
