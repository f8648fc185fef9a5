package dev.protochain.layers.socks5;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.IDN;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One SOCKS5 exchange over a socket connected to the proxy: the greeting, RFC 1929 authentication
 * if the proxy chooses it, and {@code CONNECT} (RFC 1928). Reads take exactly the bytes the
 * protocol announces, at most 262 for the longest reply, so nothing of the target's stream is ever
 * consumed. Not thread-safe; used once, by the connecting thread.
 */
final class Socks5Handshake {

  static final byte VERSION = 0x05;
  static final byte NO_AUTHENTICATION = 0x00;
  static final byte USERNAME_PASSWORD = 0x02;
  static final byte NO_ACCEPTABLE_METHOD = (byte) 0xFF;
  static final byte AUTH_VERSION = 0x01;
  static final byte CONNECT = 0x01;
  static final byte IPV4 = 0x01;
  static final byte DOMAIN = 0x03;
  static final byte IPV6 = 0x04;

  private final ChainSocket below;
  private final String proxy;
  private final InetSocketAddress target;
  private final Duration bound;
  private final long deadline;

  Socks5Handshake(ChainSocket below, String proxy, InetSocketAddress target, Duration bound) {
    this.below = below;
    this.proxy = proxy;
    this.target = target;
    this.bound = bound;
    long nanos;
    try {
      nanos = bound.toNanos();
    } catch (ArithmeticException practicallyForever) {
      nanos = Long.MAX_VALUE / 2;
    }
    this.deadline = bound.isZero() ? 0 : System.nanoTime() + nanos;
  }

  /**
   * Runs the exchange with {@code request} from {@link #request}; afterwards {@code below} carries
   * the target's stream.
   */
  void connect(Optional<Socks5Layer.Credentials> credentials, byte[] request) throws IOException {
    Duration saved = below.getOption(ChainSocketOptions.RECEIVE_TIMEOUT);
    try {
      greet(credentials);
      below.sendFully(ByteBuffer.wrap(request));
      String phase = "CONNECT to " + format(target);
      ByteBuffer head = read(2, phase);
      checkVersion(head.get(0), VERSION, phase);
      byte reply = head.get(1);
      if (reply != 0x00) {
        throw new ConnectException(
            "socks5 proxy "
                + proxy
                + " refused "
                + phase
                + ": "
                + hex(reply)
                + " "
                + meaning(reply));
      }
      ByteBuffer rest = read(2, phase); // RSV, ATYP
      int addressLength;
      switch (rest.get(1)) {
        case IPV4:
          addressLength = 4;
          break;
        case IPV6:
          addressLength = 16;
          break;
        case DOMAIN:
          addressLength = Byte.toUnsignedInt(read(1, phase).get(0));
          break;
        default:
          throw malformed(
              phase, "address type " + hex(rest.get(1)) + " (expected: 0x01, 0x03 or 0x04)");
      }
      read(addressLength + 2, phase); // BND.ADDR and BND.PORT: where the proxy connected from
    } finally {
      try {
        below.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, saved);
      } catch (IOException | RuntimeException closed) {
        // A socket that refuses is closed, and the failure that closed it is what the caller sees.
      }
    }
  }

  private void greet(Optional<Socks5Layer.Credentials> credentials) throws IOException {
    byte[] greeting =
        credentials.isPresent()
            ? new byte[] {VERSION, 2, NO_AUTHENTICATION, USERNAME_PASSWORD}
            : new byte[] {VERSION, 1, NO_AUTHENTICATION};
    String offered =
        credentials.isPresent()
            ? "0x00 no authentication, 0x02 username/password"
            : "0x00 no authentication";
    below.sendFully(ByteBuffer.wrap(greeting));
    ByteBuffer answer = read(2, "the greeting");
    checkVersion(answer.get(0), VERSION, "the greeting");
    byte method = answer.get(1);
    if (method == NO_AUTHENTICATION) {
      return;
    }
    if (method == NO_ACCEPTABLE_METHOD) {
      throw new ConnectException(
          "socks5 proxy "
              + proxy
              + " accepts none of the offered authentication methods ("
              + offered
              + ")"
              + (credentials.isPresent() ? "" : "; set username and password if it requires them"));
    }
    if (method != USERNAME_PASSWORD || credentials.isEmpty()) {
      throw malformed(
          "the greeting", "method " + hex(method) + " was not offered (offered: " + offered + ")");
    }
    authenticate(credentials.get());
  }

  private void authenticate(Socks5Layer.Credentials c) throws IOException {
    ByteBuffer auth = ByteBuffer.allocate(3 + c.usernameBytes().length + c.passwordBytes().length);
    auth.put(AUTH_VERSION)
        .put((byte) c.usernameBytes().length)
        .put(c.usernameBytes())
        .put((byte) c.passwordBytes().length)
        .put(c.passwordBytes())
        .flip();
    below.sendFully(auth);
    ByteBuffer answer = read(2, "the authentication");
    checkVersion(answer.get(0), AUTH_VERSION, "the authentication");
    if (answer.get(1) != 0x00) {
      throw new ConnectException(
          "socks5 proxy "
              + proxy
              + " refused the username and password of user '"
              + c.username()
              + "': status "
              + hex(answer.get(1)));
    }
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
    byte[] request = new byte[b.remaining()];
    b.get(request);
    return request;
  }

  /** Reads exactly {@code n} bytes, bounded by the deadline. */
  private ByteBuffer read(int n, String phase) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (deadline != 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw timeout(phase);
        }
        below.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofNanos(left));
      }
      int got;
      try {
        got = below.receive(b);
      } catch (SocketTimeoutException e) {
        SocketTimeoutException t = timeout(phase);
        t.initCause(e);
        throw t;
      }
      if (got < 0) {
        throw new EOFException(
            "socks5 proxy "
                + proxy
                + " closed the connection during "
                + phase
                + " (after "
                + b.position()
                + " of "
                + n
                + " bytes)");
      }
    }
    return b.flip();
  }

  private SocketTimeoutException timeout(String phase) {
    long millis = bound.toMillis();
    return new SocketTimeoutException(
        "socks5 proxy "
            + proxy
            + " did not answer "
            + phase
            + " within "
            + (millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms"));
  }

  private void checkVersion(byte version, byte expected, String phase) throws ProtocolException {
    if (version != expected) {
      throw malformed(phase, "version " + hex(version) + " (expected: " + hex(expected) + ")");
    }
  }

  private ProtocolException malformed(String phase, String problem) {
    return new ProtocolException(
        "socks5 proxy " + proxy + " sent a malformed reply to " + phase + ": " + problem);
  }

  /** Returns the meaning of a CONNECT reply code, as RFC 1928 section 6 names it. */
  static String meaning(byte reply) {
    switch (reply) {
      case 0x00:
        return "succeeded";
      case 0x01:
        return "general SOCKS server failure";
      case 0x02:
        return "connection not allowed by ruleset";
      case 0x03:
        return "network unreachable";
      case 0x04:
        return "host unreachable";
      case 0x05:
        return "connection refused";
      case 0x06:
        return "TTL expired";
      case 0x07:
        return "command not supported";
      case 0x08:
        return "address type not supported";
      default:
        return "unassigned reply code";
    }
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
}
