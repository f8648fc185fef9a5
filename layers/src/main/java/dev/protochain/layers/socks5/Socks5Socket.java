package dev.protochain.layers.socks5;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.HandshakeException;
import dev.protochain.api.spi.HandshakeSocket;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.IDN;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A stream socket that connects through a SOCKS5 proxy and is a plain stream to the target
 * afterwards: the greeting, RFC 1929 authentication if the proxy chooses it, and {@code CONNECT}
 * (RFC 1928) are the kit's connecting handshake, whose bytes after the reply are the target's
 * stream. Failures keep the layer's own exception types (see {@link Socks5Layer}), each with the
 * kit's {@link HandshakeException} as its cause. Thread-safety is that of the socket below; {@link
 * #connect} is called once.
 */
final class Socks5Socket extends HandshakeSocket {

  static final byte VERSION = 0x05;
  static final byte NO_AUTHENTICATION = 0x00;
  static final byte USERNAME_PASSWORD = 0x02;
  static final byte NO_ACCEPTABLE_METHOD = (byte) 0xFF;
  static final byte AUTH_VERSION = 0x01;
  static final byte CONNECT = 0x01;
  static final byte IPV4 = 0x01;
  static final byte DOMAIN = 0x03;
  static final byte IPV6 = 0x04;

  private final Socks5Layer layer;
  private final AddressFamily family;
  private InetSocketAddress asked; // set by connect before the handshake
  private byte[] request;
  private int wanted; // the length of the read under way, for an end of stream inside it
  private volatile InetSocketAddress target;

  Socks5Socket(Socks5Layer layer, ChainSocket below, AddressFamily family) {
    super(below, "socks5 (" + layer.described() + ")");
    this.layer = layer;
    this.family = family;
  }

  /** Never called: {@link #accept()} is refused before the socket below is asked. */
  @Override
  protected HandshakeSocket newAccepted(ChainSocket acceptedBelow) {
    throw unsupported("accept");
  }

  /** Refused; see {@link Socks5Layer}. */
  @Override
  public void bind(SocketAddress local) {
    throw unsupported("bind");
  }

  /** Refused; see {@link Socks5Layer}. */
  @Override
  public void listen(int backlog) {
    throw unsupported("listen");
  }

  /** Refused; see {@link Socks5Layer}. */
  @Override
  public ChainSocket accept() {
    throw unsupported("accept");
  }

  private UnsupportedOperationException unsupported(String operation) {
    return new UnsupportedOperationException(
        operation
            + " is not supported by socks5 ("
            + layer.described()
            + "): a socks5 socket only connects through its proxy (SOCKS BIND and UDP ASSOCIATE are not implemented)");
  }

  @Override
  protected Duration handshakeTimeout() {
    return layer.handshakeTimeout();
  }

  /**
   * Connects to the proxy, then asks it to connect to {@code remote}; a failure closes the socket.
   *
   * @throws IllegalArgumentException if {@code remote} is not an {@link InetSocketAddress}, or
   *     names a host SOCKS5 cannot carry (longer than 255 bytes, or not a host name)
   */
  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(timeout, "timeout");
    if (!(remote instanceof InetSocketAddress to)) {
      throw new IllegalArgumentException(
          "connect on "
              + this
              + ": "
              + remote
              + " is a "
              + remote.getClass().getName()
              + " (expected: an InetSocketAddress, resolved or unresolved)");
    }
    asked = layer.requested(to); // a name resolved here, if at all, comes first
    request = request(asked); // a target SOCKS5 cannot carry fails before any connection
    long start = System.nanoTime();
    InetSocketAddress proxy = layer.resolveProxy(family);
    try {
      below().connect(proxy, timeout);
    } catch (ConnectException e) {
      ConnectException named =
          new ConnectException(
              "socks5 proxy "
                  + layer.proxy()
                  + " ("
                  + layer.described()
                  + ") is not reachable: "
                  + e.getMessage());
      named.initCause(e);
      throw named;
    }
    runHandshake(timeout, start);
    target = to;
  }

  /* ---- the handshake ---- */

  @Override
  protected void connecting(Exchange ex) throws IOException {
    try {
      greet(ex, layer.credentials());
      ex.step("CONNECT to " + format(asked));
      ex.send(ByteBuffer.wrap(request));
      ByteBuffer head = read(ex, 2);
      checkVersion(ex, head.get(0), VERSION);
      byte reply = head.get(1);
      if (reply != 0x00) {
        throw ex.refused(
            "refused CONNECT to " + format(asked) + ": " + hex(reply) + " " + meaning(reply));
      }
      ByteBuffer rest = read(ex, 2); // RSV, ATYP
      int addressLength =
          switch (rest.get(1)) {
            case IPV4 -> 4;
            case IPV6 -> 16;
            case DOMAIN -> Byte.toUnsignedInt(read(ex, 1).get(0));
            default ->
                throw ex.malformed(
                    "address type " + hex(rest.get(1)) + " (expected: 0x01, 0x03 or 0x04)");
          };
      read(ex, addressLength + 2); // BND.ADDR and BND.PORT: where the proxy connected from
    } catch (HandshakeException e) {
      throw legacy(e, ex);
    }
  }

  private void greet(Exchange ex, Optional<Socks5Layer.Credentials> credentials)
      throws IOException {
    ex.step("the greeting");
    String offered =
        credentials.isPresent()
            ? "0x00 no authentication, 0x02 username/password"
            : "0x00 no authentication";
    ex.send(
        ByteBuffer.wrap(
            credentials.isPresent()
                ? new byte[] {VERSION, 2, NO_AUTHENTICATION, USERNAME_PASSWORD}
                : new byte[] {VERSION, 1, NO_AUTHENTICATION}));
    ByteBuffer answer = read(ex, 2);
    checkVersion(ex, answer.get(0), VERSION);
    byte method = answer.get(1);
    if (method == NO_AUTHENTICATION) {
      return;
    }
    if (method == NO_ACCEPTABLE_METHOD) {
      throw ex.refused(
          "accepts none of the offered authentication methods ("
              + offered
              + ")"
              + (credentials.isPresent() ? "" : "; set username and password if it requires them"));
    }
    if (method != USERNAME_PASSWORD || credentials.isEmpty()) {
      throw ex.malformed("method " + hex(method) + " was not offered (offered: " + offered + ")");
    }
    Socks5Layer.Credentials c = credentials.get();
    ex.step("the authentication");
    ex.send(
        ByteBuffer.allocate(3 + c.usernameBytes().length + c.passwordBytes().length)
            .put(AUTH_VERSION)
            .put((byte) c.usernameBytes().length)
            .put(c.usernameBytes())
            .put((byte) c.passwordBytes().length)
            .put(c.passwordBytes())
            .flip());
    ByteBuffer status = read(ex, 2);
    checkVersion(ex, status.get(0), AUTH_VERSION);
    if (status.get(1) != 0x00) {
      throw ex.refused(
          "refused the username and password of user '"
              + c.username()
              + "': status "
              + hex(status.get(1)));
    }
  }

  private ByteBuffer read(Exchange ex, int n) throws IOException {
    wanted = n;
    return ex.read(n);
  }

  private static void checkVersion(Exchange ex, byte version, byte expected)
      throws HandshakeException {
    if (version != expected) {
      throw ex.malformed("version " + hex(version) + " (expected: " + hex(expected) + ")");
    }
  }

  /** The layer's own exception for a failure of the kit's, which stays attached as the cause. */
  private IOException legacy(HandshakeException e, Exchange ex) {
    String proxy = "socks5 proxy " + layer.proxy() + " ";
    IOException out =
        switch (e.reason()) {
          case TIMED_OUT -> {
            long millis = ex.timeout().toMillis();
            yield new SocketTimeoutException(
                proxy
                    + "did not answer "
                    + e.step()
                    + " within "
                    + (millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms"));
          }
          case PEER_CLOSED ->
              new EOFException(
                  proxy
                      + "closed the connection during "
                      + e.step()
                      + " (after "
                      + ex.buffered()
                      + " of "
                      + wanted
                      + " bytes)");
          case MALFORMED ->
              new ProtocolException(
                  proxy + "sent a malformed reply to " + e.step() + ": " + e.problem());
          case REFUSED -> new ConnectException(proxy + e.problem());
        };
    out.initCause(e);
    return out;
  }

  /**
   * Returns the CONNECT request for {@code target}.
   *
   * @throws IllegalArgumentException if its host name does not fit SOCKS5's 255 bytes
   */
  static byte[] request(InetSocketAddress target) {
    ByteBuffer b = ByteBuffer.allocate(4 + 1 + 255 + 2);
    b.put(VERSION).put(CONNECT).put((byte) 0x00);
    if (target.isUnresolved()) {
      String host = target.getHostString();
      byte[] name;
      try {
        name = IDN.toASCII(host).getBytes(StandardCharsets.US_ASCII);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "connect through socks5: '" + host + "' is not a host name (" + e.getMessage() + ")",
            e);
      }
      if (name.length < 1 || name.length > 255) {
        throw new IllegalArgumentException(
            "connect through socks5: host name '"
                + host
                + "' is "
                + name.length
                + " bytes (expected: 1 to 255, as SOCKS5 allows)");
      }
      b.put(DOMAIN).put((byte) name.length).put(name);
    } else if (target.getAddress() instanceof Inet4Address) {
      b.put(IPV4).put(target.getAddress().getAddress());
    } else {
      b.put(IPV6).put(target.getAddress().getAddress());
    }
    b.putShort((short) target.getPort()).flip();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** Returns the meaning of a CONNECT reply code, as RFC 1928 section 6 names it. */
  static String meaning(byte reply) {
    return switch (reply) {
      case 0x00 -> "succeeded";
      case 0x01 -> "general SOCKS server failure";
      case 0x02 -> "connection not allowed by ruleset";
      case 0x03 -> "network unreachable";
      case 0x04 -> "host unreachable";
      case 0x05 -> "connection refused";
      case 0x06 -> "TTL expired";
      case 0x07 -> "command not supported";
      case 0x08 -> "address type not supported";
      default -> "unassigned reply code";
    };
  }

  static String hex(byte b) {
    return String.format(Locale.ROOT, "0x%02x", b);
  }

  /** Returns {@code example.org:80}, {@code 10.0.0.1:80} or {@code [::1]:80}. */
  static String format(InetSocketAddress a) {
    if (a.isUnresolved()) {
      return a.getHostString() + ":" + a.getPort();
    }
    String host = a.getAddress().getHostAddress();
    return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** Returns the target once connected (not the proxy), before that what the socket below says. */
  @Override
  public SocketAddress remoteAddress() throws IOException {
    InetSocketAddress t = target;
    return t != null ? t : super.remoteAddress();
  }

  /** Returns {@code Socks5Socket[via 127.0.0.1:1080 to example.org:80] -> ...}. */
  @Override
  public String toString() {
    InetSocketAddress t = target;
    return "Socks5Socket[via "
        + layer.proxy()
        + (t == null ? "" : " to " + format(t))
        + "] -> "
        + below();
  }
}
