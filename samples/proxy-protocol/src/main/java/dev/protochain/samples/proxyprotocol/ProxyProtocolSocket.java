package dev.protochain.samples.proxyprotocol;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.HandshakeSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * A stream socket that sends the PROXY header after it connects, or, if it was accepted, reads the
 * header at its first use (the kit's deferred handshake, so an accept loop never waits on it).
 * Bytes that arrive together with the header are kept for the first receives.
 */
final class ProxyProtocolSocket extends HandshakeSocket {

  /** The longest v1 header, CRLF included, per the specification. */
  static final int MAX_HEADER = 107;

  private final boolean send;
  private final boolean expect;
  private volatile InetSocketAddress source;

  ProxyProtocolSocket(ChainSocket below, String describe, boolean send, boolean expect) {
    super(below, describe);
    this.send = send;
    this.expect = expect;
  }

  @Override
  protected HandshakeSocket newAccepted(ChainSocket acceptedBelow) {
    return new ProxyProtocolSocket(acceptedBelow, describe(), send, expect);
  }

  @Override
  protected boolean handshakeOnFirstUse() {
    return true;
  }

  @Override
  protected void connecting(Exchange ex) throws IOException {
    if (send) {
      ex.send(header(ex.below().localAddress(), ex.below().remoteAddress()));
    }
  }

  @Override
  protected void accepting(Exchange ex) throws IOException {
    if (expect) {
      ex.step("the PROXY header");
      source = parse(ex.readUntil("\r\n", MAX_HEADER - 2), ex);
    }
  }

  /** Returns the v1 header line for a connection from {@code local} to {@code remote}. */
  static String header(SocketAddress local, SocketAddress remote) {
    if (local instanceof InetSocketAddress src
        && remote instanceof InetSocketAddress dst
        && src.getAddress() != null
        && dst.getAddress() != null
        && (src.getAddress() instanceof Inet4Address)
            == (dst.getAddress() instanceof Inet4Address)) {
      return String.join(
              " ",
              "PROXY",
              src.getAddress() instanceof Inet4Address ? "TCP4" : "TCP6",
              src.getAddress().getHostAddress(),
              dst.getAddress().getHostAddress(),
              String.valueOf(src.getPort()),
              String.valueOf(dst.getPort()))
          + "\r\n";
    }
    return "PROXY UNKNOWN\r\n";
  }

  /** Returns the source the PROXY header named, reading the header first if it has not arrived. */
  @Override
  public SocketAddress remoteAddress() throws IOException {
    completeHandshake();
    InetSocketAddress s = source;
    return s != null ? s : super.remoteAddress();
  }

  private static InetSocketAddress parse(String line, Exchange ex) throws IOException {
    String[] f = line.split(" ", -1);
    if (f.length < 2 || !f[0].equals("PROXY")) {
      throw ex.malformed("it does not start with 'PROXY ': '" + line + "'");
    }
    if (f[1].equals("UNKNOWN")) {
      return null;
    }
    if (f.length != 6 || !(f[1].equals("TCP4") || f[1].equals("TCP6"))) {
      throw ex.malformed("expected 'PROXY TCP4|TCP6 SRC DST SPORT DPORT', got '" + line + "'");
    }
    boolean v4 = f[1].equals("TCP4");
    boolean looksRight =
        v4
            ? f[2].matches("\\d{1,3}(\\.\\d{1,3}){3}")
            : f[2].matches("[0-9a-fA-F:.]+") && f[2].contains(":");
    if (!looksRight) {
      throw ex.malformed(
          "'" + f[2] + "' is not an " + (v4 ? "IPv4" : "IPv6") + " address in '" + line + "'");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(f[2]); // a literal: no lookup happens
    } catch (UnknownHostException e) {
      throw ex.malformed("'" + f[2] + "' is not an address in '" + line + "'");
    }
    if (!f[4].matches("\\d{1,5}") || Integer.parseInt(f[4]) > 65535) {
      throw ex.malformed("'" + f[4] + "' is not a port in '" + line + "'");
    }
    return new InetSocketAddress(address, Integer.parseInt(f[4]));
  }

  /** Returns {@code ProxyProtocolSocket[source /10.0.0.7:51234] -> ...}. */
  @Override
  public String toString() {
    InetSocketAddress s = source;
    return "ProxyProtocolSocket[" + (s != null ? "source " + s : "") + "] -> " + below();
  }
}
