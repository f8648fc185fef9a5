package dev.protochain.layers.filter;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * One rule: an address range (or any address) and a port range, parsed from text such as {@code
 * 10.0.0.0/8}, {@code 192.0.2.7:443}, {@code 2001:db8::/32}, {@code [2001:db8::]/32:8000-8999} or
 * {@code *:22}. Immutable.
 *
 * <p>The one grammar of address rules in protochain: the {@code filter} layer's {@code allow} and
 * {@code deny} settings and the agent's {@code only=} and {@code except=} arguments both parse with
 * it. Addresses are literals, never names to look up.
 */
public final class AddressRule {

  private static final InetAddress LOOPBACK4 = InetAddresses.forString("127.0.0.1");
  private static final InetAddress LOOPBACK6 = InetAddresses.forString("::1");

  private final String text;
  private final byte[] network; // null for any address
  private final int prefix;
  private final int lowPort;
  private final int highPort;

  private AddressRule(String text, byte[] network, int prefix, int lowPort, int highPort) {
    this.text = text;
    this.network = network;
    this.prefix = prefix;
    this.lowPort = lowPort;
    this.highPort = highPort;
  }

  /**
   * Parses one rule.
   *
   * @throws IllegalArgumentException saying what is wrong with it, after {@code rule '<text>' }
   */
  public static AddressRule parse(String text) {
    String address;
    String ports = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw bad(text, "opens '[' without closing it");
      }
      address = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (rest.startsWith("/")) { // [2001:db8::]/32:443
        int colon = rest.indexOf(':');
        address += colon < 0 ? rest : rest.substring(0, colon);
        rest = colon < 0 ? "" : rest.substring(colon);
      }
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw bad(text, "has '" + rest + "' after ']' (expected: :PORT or :LOW-HIGH)");
        }
        ports = rest.substring(1);
      }
    } else if (text.indexOf(':') != text.lastIndexOf(':')) {
      address = text; // IPv6 without a port
    } else {
      int colon = text.indexOf(':');
      address = colon < 0 ? text : text.substring(0, colon);
      ports = colon < 0 ? null : text.substring(colon + 1);
    }
    int low = 0;
    int high = 65535;
    if (ports != null) {
      int dash = ports.indexOf('-');
      low = port(text, dash < 0 ? ports : ports.substring(0, dash));
      high = dash < 0 ? low : port(text, ports.substring(dash + 1));
      if (low > high) {
        throw bad(text, "has ports " + ports + " (expected: low to high)");
      }
    }
    if (address.equals("*")) {
      return new AddressRule(text, null, 0, low, high);
    }
    int slash = address.indexOf('/');
    String literal = slash < 0 ? address : address.substring(0, slash);
    InetAddress ip;
    try {
      ip = InetAddresses.forString(literal); // a literal only: never a name lookup
    } catch (IllegalArgumentException e) {
      throw bad(
          text,
          "names no IP address literal (expected: e.g. 10.0.0.0/8, 2001:db8::/32, [::1]:443 or *:22)");
    }
    int bits = ip instanceof Inet4Address ? 32 : 128;
    int prefix = bits;
    if (slash >= 0) {
      String p = address.substring(slash + 1);
      try {
        prefix = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        throw bad(text, "has prefix '" + p + "' (expected: 0 to " + bits + ")");
      }
      if (prefix < 0 || prefix > bits) {
        throw bad(text, "has prefix " + prefix + " (expected: 0 to " + bits + ")");
      }
    }
    return new AddressRule(text, ip.getAddress(), prefix, low, high);
  }

  private static int port(String text, String p) {
    int port;
    try {
      port = Integer.parseInt(p);
    } catch (NumberFormatException e) {
      throw bad(text, "has port '" + p + "' (expected: 0 to 65535)");
    }
    if (port < 0 || port > 65535) {
      throw bad(text, "has port " + port + " (expected: 0 to 65535)");
    }
    return port;
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("rule '" + text + "' " + why);
  }

  /**
   * Returns whether the rule covers {@code address}: its address in the range, its port in the
   * ports.
   */
  public boolean matches(InetSocketAddress address) {
    int port = address.getPort();
    if (port < lowPort || port > highPort) {
      return false;
    }
    if (network == null) {
      return true;
    }
    byte[] ip = address.getAddress().getAddress();
    if (ip.length != network.length) {
      return false; // an IPv4 rule never covers an IPv6 address, nor the other way round
    }
    int whole = prefix / 8;
    for (int i = 0; i < whole; i++) {
      if (ip[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (ip[whole] & mask) == (network[whole] & mask);
  }

  /**
   * Returns the address a connection to {@code a} actually reaches: the IPv4 address an IPv4-mapped
   * IPv6 address carries ({@code ::ffff:127.0.0.1} is 127.0.0.1), and the loopback address for the
   * wildcard address ({@code 0.0.0.0}, {@code ::}), which connects to this host.
   */
  public static InetSocketAddress reached(InetSocketAddress a) {
    InetAddress ip = a.getAddress();
    byte[] bytes = ip.getAddress();
    if (bytes.length == 16 && isIpv4Mapped(bytes)) {
      try {
        ip = InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16)); // a literal: no lookup
      } catch (UnknownHostException e) {
        throw new AssertionError("4 bytes are an IPv4 address", e);
      }
    }
    if (ip.isAnyLocalAddress()) {
      ip = ip instanceof Inet4Address ? LOOPBACK4 : LOOPBACK6;
    }
    return ip.equals(a.getAddress()) ? a : new InetSocketAddress(ip, a.getPort());
  }

  private static boolean isIpv4Mapped(byte[] ip) {
    for (int i = 0; i < 10; i++) {
      if (ip[i] != 0) {
        return false;
      }
    }
    return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
  }

  /** Returns the rule as written. */
  @Override
  public String toString() {
    return text;
  }
}
