package dev.protochain.samples.proxyprotocol;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.ForwardingSocket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A stream socket that sends the PROXY header after it connects, or, if it was accepted, reads the
 * header before anything else. Bytes that arrive together with the header are kept and handed to
 * the first receives.
 */
final class ProxyProtocolSocket extends ForwardingSocket {

  /** The longest v1 header, CRLF included, per the specification. */
  static final int MAX_HEADER = 107;

  private final boolean send;
  private final boolean expect;
  private final boolean accepted;
  private final Object headerLock = new Object();
  private boolean headerRead; // guarded by headerLock
  private ByteBuffer leftover = ByteBuffer.allocate(0); // guarded by headerLock
  private ByteBuffer
      partial; // guarded by headerLock: the header so far, kept when a receive times out in it
  private volatile InetSocketAddress source;

  ProxyProtocolSocket(ChainSocket below, boolean send, boolean expect, boolean accepted) {
    super(below);
    this.send = send;
    this.expect = expect;
    this.accepted = accepted;
  }

  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    return new ProxyProtocolSocket(acceptedBelow, send, expect, true);
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    super.connect(remote, timeout);
    if (send) {
      below()
          .sendFully(
              ByteBuffer.wrap(
                  header(localAddress(), remoteAddress()).getBytes(StandardCharsets.US_ASCII)));
    }
  }

  /** Returns the v1 header line for a connection from {@code local} to {@code remote}. */
  static String header(SocketAddress local, SocketAddress remote) {
    if (local instanceof InetSocketAddress && remote instanceof InetSocketAddress) {
      InetSocketAddress src = (InetSocketAddress) local;
      InetSocketAddress dst = (InetSocketAddress) remote;
      if (src.getAddress() != null
          && dst.getAddress() != null
          && (src.getAddress() instanceof Inet4Address)
              == (dst.getAddress() instanceof Inet4Address)) {
        String family = src.getAddress() instanceof Inet4Address ? "TCP4" : "TCP6";
        return "PROXY "
            + family
            + " "
            + src.getAddress().getHostAddress()
            + " "
            + dst.getAddress().getHostAddress()
            + " "
            + src.getPort()
            + " "
            + dst.getPort()
            + "\r\n";
      }
    }
    return "PROXY UNKNOWN\r\n";
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    if (accepted && expect) {
      synchronized (headerLock) {
        readHeader();
        if (leftover.hasRemaining()) {
          int n = Math.min(dst.remaining(), leftover.remaining());
          ByteBuffer slice = leftover.slice();
          slice.limit(n);
          dst.put(slice);
          leftover.position(leftover.position() + n);
          return n;
        }
      }
    }
    return super.receive(dst);
  }

  /** Returns the source the PROXY header named, reading the header first if it has not arrived. */
  @Override
  public SocketAddress remoteAddress() throws IOException {
    if (accepted && expect) {
      synchronized (headerLock) {
        readHeader();
      }
      InetSocketAddress s = source;
      if (s != null) {
        return s;
      }
    }
    return super.remoteAddress();
  }

  // Called with headerLock held. A receive that times out (or fails) leaves what arrived in
  // partial.
  private void readHeader() throws IOException {
    if (headerRead) {
      return;
    }
    if (partial == null) {
      partial = ByteBuffer.allocate(MAX_HEADER + 64);
    }
    ByteBuffer buf = partial;
    int end;
    while ((end = crlf(buf)) < 0) {
      if (buf.position() >= MAX_HEADER) {
        throw malformed("no CRLF within the first " + MAX_HEADER + " bytes");
      }
      if (below().receive(buf) < 0) {
        throw malformed(
            "the stream ended after " + buf.position() + " bytes, before the header's CRLF");
      }
    }
    String line = new String(buf.array(), 0, end, StandardCharsets.US_ASCII);
    source = parse(line);
    buf.flip().position(end + 2);
    leftover = buf.slice();
    headerRead = true;
  }

  private static int crlf(ByteBuffer buf) {
    byte[] a = buf.array();
    for (int i = 0; i + 1 < buf.position(); i++) {
      if (a[i] == '\r' && a[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private InetSocketAddress parse(String line) throws IOException {
    String[] f = line.split(" ", -1);
    if (f.length < 2 || !f[0].equals("PROXY")) {
      throw malformed("it does not start with 'PROXY ': '" + line + "'");
    }
    if (f[1].equals("UNKNOWN")) {
      return null;
    }
    if (f.length != 6 || !(f[1].equals("TCP4") || f[1].equals("TCP6"))) {
      throw malformed("expected 'PROXY TCP4|TCP6 SRC DST SPORT DPORT', got '" + line + "'");
    }
    InetAddress address = address(f[2], f[1].equals("TCP4"), line);
    return new InetSocketAddress(address, port(f[4], line));
  }

  private InetAddress address(String text, boolean v4, String line) throws IOException {
    boolean looksV4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean looksV6 = text.matches("[0-9a-fA-F:.]+") && text.contains(":");
    if (v4 ? !looksV4 : !looksV6) {
      throw malformed(
          "'" + text + "' is not an " + (v4 ? "IPv4" : "IPv6") + " address in '" + line + "'");
    }
    try {
      return InetAddress.getByName(text); // a literal: no lookup happens
    } catch (UnknownHostException e) {
      throw malformed("'" + text + "' is not an address in '" + line + "'");
    }
  }

  private int port(String text, String line) throws IOException {
    if (!text.matches("\\d{1,5}") || Integer.parseInt(text) > 65535) {
      throw malformed("'" + text + "' is not a port in '" + line + "'");
    }
    return Integer.parseInt(text);
  }

  private IOException malformed(String why) {
    String peer;
    try {
      peer = String.valueOf(super.remoteAddress());
    } catch (IOException e) {
      peer = "an unknown peer";
    }
    return new IOException("proxy-protocol: malformed PROXY header from " + peer + ": " + why);
  }

  /** Returns {@code ProxyProtocolSocket[accepted, source /10.0.0.7:51234] -> ...}. */
  @Override
  public String toString() {
    return "ProxyProtocolSocket["
        + (accepted ? "accepted" : "connecting")
        + (source != null ? ", source " + source : "")
        + "] -> "
        + below();
  }
}
