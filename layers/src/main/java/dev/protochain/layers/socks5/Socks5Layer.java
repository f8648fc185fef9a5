package dev.protochain.layers.socks5;

import com.google.common.net.InetAddresses;
import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.Settings;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Connects stream sockets through a SOCKS5 proxy: RFC 1928 {@code CONNECT}, without authentication
 * or with RFC 1929 username/password.
 *
 * <p>{@link ChainSocket#connect} connects the socket below to the proxy, speaks SOCKS5 and returns
 * once the proxy has connected to the target; from then on the socket is a plain stream to the
 * target and {@link ChainSocket#remoteAddress} returns the target as given. By default ({@code
 * resolve=proxy}) a target with a host name is sent as that name (address type 3), whether the
 * {@link InetSocketAddress} is unresolved ({@link InetSocketAddress#createUnresolved}) or was
 * resolved when it was made: names resolve where the proxy is, as {@code socks5h} does in curl, so
 * a name only the proxy can resolve connects, and the layer itself looks up no name of a target
 * (create targets unresolved so that nothing else does either). An address literal is sent as its
 * IPv4 or IPv6 address. With {@code resolve=local} names are resolved here and sent as addresses,
 * for a proxy that does not take names. The proxy's own name is resolved at each connect to an
 * address of the chain's family.
 *
 * <p>Every failure is an {@link IOException} naming the proxy and the target: a reply code other
 * than success is a {@link java.net.ConnectException} naming the code and its meaning, such as
 * {@code socks5 proxy 127.0.0.1:1080 refused CONNECT to example.org:80: 0x05 connection refused}; a
 * reply that breaks the protocol is a {@link java.net.ProtocolException} (replies are read with
 * exact, bounded lengths, never past the reply); a proxy that stays silent past {@code
 * handshake-timeout} is a {@link java.net.SocketTimeoutException}. A failed connect closes the
 * socket.
 *
 * <p>{@link ChainSocket#bind}, {@link ChainSocket#listen} and {@link ChainSocket#accept} throw
 * {@link UnsupportedOperationException}: a socks5 socket only connects (the SOCKS {@code BIND} and
 * {@code UDP ASSOCIATE} commands are not implemented, and binding the local end of the connection
 * to the proxy would only mislead). Datagram sockets are refused.
 *
 * <h2>Settings</h2>
 *
 * <ul>
 *   <li>{@code proxy}: the proxy as {@code HOST:PORT}, an IPv6 literal in brackets ({@code
 *       [::1]:1080}); required.
 *   <li>{@code username} and {@code password}: both or neither, each 1 to 255 bytes of UTF-8. With
 *       them the greeting offers "no authentication" and "username/password" and the proxy chooses;
 *       without them it offers "no authentication" only. The password is a secret: masked in every
 *       output, and best given as {@code @file:PATH} or {@code @env:NAME}, so that the catalog
 *       keeps only the reference.
 *   <li>{@code handshake-timeout}: the longest time the whole SOCKS exchange after the connect to
 *       the proxy may take, also bounded by what is left of the connect timeout; {@code 0} for no
 *       bound.
 *   <li>{@code resolve}: where the host names of targets are resolved: {@code proxy} (sent as
 *       names) or {@code local} (resolved here, before the proxy is contacted, and sent as
 *       addresses; a name that does not resolve fails the connect with an {@link
 *       UnknownHostException}).
 * </ul>
 *
 * <p>Each setting's default is the {@code defaultValue} of its {@code @SettingInfo} below ({@code
 * protochain catalog layers} lists them).
 *
 * <p>This class is thread-safe.
 */
@ProviderInfo(
    id = "a312fa46-fa81-4ac3-b405-b25727b9cbdc",
    name = "socks5",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description =
        "Connects stream sockets through a SOCKS5 proxy (RFC 1928 CONNECT, RFC 1929 username/password).",
    requiresBelow = {ServiceFlag.GUARANTEED_DELIVERY, ServiceFlag.GUARANTEED_ORDER},
    settings = {
      @SettingInfo(
          name = "proxy",
          description = "the proxy as HOST:PORT ([v6]:PORT for an IPv6 literal); required"),
      @SettingInfo(
          name = "username",
          description = "user name for RFC 1929 authentication; empty for none"),
      @SettingInfo(
          name = "password",
          secret = true,
          description = "password for RFC 1929 authentication, with username"),
      @SettingInfo(
          name = "handshake-timeout",
          defaultValue = "30s",
          description = "longest time the SOCKS exchange may take; 0 for no bound"),
      @SettingInfo(
          name = "resolve",
          defaultValue = "proxy",
          description =
              "where target host names are resolved: proxy (sent as names, no DNS lookup here)"
                  + " or local (resolved here, sent as addresses)")
    })
public final class Socks5Layer extends AbstractLayer {

  /** RFC 1929 credentials, as bytes. */
  record Credentials(String username, byte[] usernameBytes, byte[] passwordBytes) {}

  private volatile String proxyHost;
  private volatile int proxyPort;
  private volatile String proxyText;
  private volatile Optional<Credentials> credentials;
  private volatile Duration handshakeTimeout;
  private volatile boolean resolveLocally;
  private volatile String described;

  /** Creates the layer; the runtime calls this. */
  public Socks5Layer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    CatalogEntry entry = context.entry();
    Settings s = settings();
    described = "entry " + entry.id() + " '" + entry.name() + "'";
    String proxy = s.getString("proxy");
    parseProxy(proxy, entry);
    handshakeTimeout = s.getDuration("handshake-timeout");
    if (handshakeTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "setting 'handshake-timeout' of " + entry + " must not be negative");
    }
    String resolve = s.getString("resolve");
    switch (resolve.trim().toLowerCase(Locale.ROOT)) {
      case "proxy" -> resolveLocally = false;
      case "local" -> resolveLocally = true;
      default ->
          throw new IllegalArgumentException(
              "setting 'resolve' of "
                  + entry
                  + " = '"
                  + resolve
                  + "' is not proxy or local (proxy: the proxy resolves host names; local: they"
                  + " are resolved here)");
    }
    Optional<String> username = s.get("username").filter(v -> !v.isEmpty());
    Optional<String> password = s.get("password").filter(v -> !v.isEmpty());
    if (username.isPresent() != password.isPresent()) {
      String set = username.isPresent() ? "username" : "password";
      String missing = username.isPresent() ? "password" : "username";
      throw new IllegalArgumentException(
          "setting '"
              + set
              + "' of "
              + entry
              + " needs '"
              + missing
              + "' too (RFC 1929 sends both, each 1 to 255 bytes)");
    }
    if (username.isPresent()) {
      byte[] u = bytes(entry, "username", username.get());
      byte[] p = bytes(entry, "password", password.get());
      credentials = Optional.of(new Credentials(username.get(), u, p));
    } else {
      credentials = Optional.empty();
    }
  }

  private void parseProxy(String text, CatalogEntry entry) {
    String t = text.trim();
    String host;
    String port;
    int colon;
    if (t.startsWith("[")) {
      int end = t.indexOf(']');
      colon = end + 1;
      host = end < 0 ? "" : t.substring(1, end);
    } else {
      colon = t.lastIndexOf(':');
      host = colon < 0 || t.indexOf(':') != colon ? "" : t.substring(0, colon);
    }
    port = colon > 0 && colon < t.length() && t.charAt(colon) == ':' ? t.substring(colon + 1) : "";
    int p = -1;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      // reported below with the expected form
    }
    if (host.isEmpty() || p < 1 || p > 65535) {
      throw new IllegalArgumentException(
          "setting 'proxy' of "
              + entry
              + " = '"
              + text
              + "' is not HOST:PORT "
              + "with a port from 1 to 65535 (expected: e.g. 127.0.0.1:1080, proxy.example:1080 or [::1]:1080)");
    }
    proxyHost = host;
    proxyPort = p;
    proxyText = host.indexOf(':') >= 0 ? "[" + host + "]:" + p : host + ":" + p;
  }

  private static byte[] bytes(CatalogEntry entry, String key, String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    if (b.length > 255) {
      throw new IllegalArgumentException(
          "setting '"
              + key
              + "' of "
              + entry
              + " is "
              + b.length
              + " bytes of UTF-8 (expected: 1 to 255, as RFC 1929 allows)");
    }
    return b;
  }

  /**
   * Returns a socks5 socket over {@code below}.
   *
   * @throws UnsupportedOperationException if {@code below} is a datagram socket
   */
  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    if (below.type() != SocketType.STREAM) {
      throw new UnsupportedOperationException(
          "socks5 ("
              + described
              + ") wraps stream sockets only, not "
              + below.type()
              + " sockets of "
              + context.entry()
              + " (UDP ASSOCIATE is not implemented)");
    }
    return new Socks5Socket(this, below, context.entry().family());
  }

  /* ---- for Socks5Socket ---- */

  /** Returns {@code entry 2002 'socks5'}, for messages. */
  String described() {
    return described;
  }

  /** Returns the proxy as configured, normalised: {@code 127.0.0.1:1080} or {@code [::1]:1080}. */
  String proxy() {
    return proxyText;
  }

  Optional<Credentials> credentials() {
    return credentials;
  }

  Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /**
   * Returns the target to ask the proxy for: with {@code resolve=proxy} a target with a host name
   * as that name, unresolved; with {@code resolve=local} one with an address, resolving an
   * unresolved name here.
   *
   * @throws UnknownHostException if {@code resolve=local} and the name does not resolve
   */
  InetSocketAddress requested(InetSocketAddress target) throws UnknownHostException {
    String host = target.getHostString();
    if (!resolveLocally) {
      return target.isUnresolved() || InetAddresses.isInetAddress(host)
          ? target
          : InetSocketAddress.createUnresolved(host, target.getPort());
    }
    if (!target.isUnresolved()) {
      return target; // sent as its address
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), target.getPort());
    } catch (UnknownHostException e) {
      UnknownHostException named =
          new UnknownHostException(
              "socks5 ("
                  + described
                  + "): unknown host '"
                  + host
                  + "' (setting 'resolve' is local, so names are resolved here; set it to proxy"
                  + " to let the proxy resolve them)");
      named.initCause(e);
      throw named;
    }
  }

  /** Resolves the proxy to an address a socket of {@code family} can connect to. */
  InetSocketAddress resolveProxy(AddressFamily family) throws IOException {
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(proxyHost);
    } catch (UnknownHostException e) {
      UnknownHostException named =
          new UnknownHostException(
              "socks5 proxy "
                  + proxyText
                  + " ("
                  + described
                  + "): unknown host '"
                  + proxyHost
                  + "'");
      named.initCause(e);
      throw named;
    }
    for (InetAddress a : all) {
      boolean fits =
          family == AddressFamily.INET
              ? a instanceof Inet4Address
              : family != AddressFamily.INET6 || a instanceof Inet6Address;
      if (fits) {
        return new InetSocketAddress(a, proxyPort);
      }
    }
    if (family == AddressFamily.INET6) {
      return new InetSocketAddress(
          all[0], proxyPort); // an IPv6 socket reaches IPv4 as a mapped address
    }
    throw new IOException(
        "socks5 proxy "
            + proxyText
            + " ("
            + described
            + ") has no IPv4 address (found: "
            + Arrays.toString(all)
            + ")");
  }
}
