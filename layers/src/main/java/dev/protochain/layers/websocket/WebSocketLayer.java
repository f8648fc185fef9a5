package dev.protochain.layers.websocket;

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
import dev.protochain.layers.internal.LayerTimer;
import dev.protochain.layers.internal.LingeringClose;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Carries stream sockets as WebSocket connections (RFC 6455), so that any TCP client crosses an
 * HTTP-only proxy or load balancer: a socket that connects is a WebSocket client, which sends an
 * HTTP/1.1 upgrade request for {@code path} and checks the server's answer before {@link
 * ChainSocket#connect} returns; a socket that accepts is a WebSocket server, which checks the
 * client's request and answers it before {@link ChainSocket#accept} returns. Afterwards each send
 * is one binary message (at most {@code max-message} bytes, and at most 64 KiB: a longer send takes
 * what fits, as a stream's send may), and receives return the bytes of the peer's binary and text
 * messages in order, fragments joined (text is passed on as its bytes, unchecked). Either end may
 * be a WebSocket implementation of any kind.
 *
 * <h2>Frames</h2>
 *
 * The client masks every frame with a fresh key from a {@link java.security.SecureRandom}; the
 * server masks none, and refuses an unmasked frame from a client (and the client a masked one from
 * a server). Pings are answered with a pong carrying the same bytes; pongs are dropped. A frame
 * that breaks section 5 (reserved bits without an extension, a reserved opcode, a fragmented or
 * long control frame, a continuation outside a message or a message inside one, a close frame with
 * a bad status or a reason that is not UTF-8) fails the connection: a close frame with status 1002
 * (1007 for the reason) is sent and the receive throws a {@link java.net.ProtocolException} naming
 * the layer's entry, the frame's number and the peer. A message over {@code max-message} bytes in
 * all its fragments is refused from the header that makes it so, before its payload is read, with
 * status 1009. No extension (such as {@code permessage-deflate}) and no subprotocol is agreed: a
 * server answers offers of them without one, and a client refuses an answer that chose one it did
 * not offer.
 *
 * <h2>Handshake</h2>
 *
 * The client's request carries {@code Host} (the setting, else the host and port the application
 * connected to, as it named them), {@code Upgrade}, {@code Connection}, a fresh {@code
 * Sec-WebSocket-Key}, {@code Sec-WebSocket-Version: 13} and the {@code headers} setting. An answer
 * other than {@code 101}, without {@code Upgrade: websocket} and {@code Connection: upgrade}, or
 * with a wrong {@code Sec-WebSocket-Accept}, fails the connect with a {@link
 * dev.protochain.api.spi.HandshakeException} that quotes what the server sent, such as {@code the
 * server answered 'HTTP/1.1 404 Not Found' (expected: HTTP/1.1 101 Switching Protocols)}. The
 * server answers a request for another path with 404, another method with 405, a version other than
 * 13 with 426 (and {@code Sec-WebSocket-Version: 13}), anything else amiss with 400, each with a
 * line of text saying why, and its accept fails with the same words. Either side reads at most 8192
 * bytes of HTTP head, within {@code handshake-timeout}; frames sent right behind a head are kept.
 *
 * <h2>Closing</h2>
 *
 * {@link ChainSocket#shutdownOutput} sends a close frame (status 1000) and keeps the connection:
 * the peer's messages still arrive until its close frame, after which receives return -1. A close
 * frame from the peer ends the input (-1) and is answered when the application shuts its output or
 * closes, not before: a half-close, as TCP has, so that a request sent before {@code
 * shutdownOutput} still gets its whole reply (RFC 6455 lets an endpoint send what it is sending
 * before its close frame). A connection that ends without a close frame is an abnormal closure
 * (1006): the receive throws an {@link java.io.EOFException}. {@link ChainSocket#close} with linger
 * 0 closes the connection at once, without a close frame; otherwise the close frame is sent and the
 * peer's awaited, reading and dropping what comes before it, then the connection is closed: before
 * the close returns with linger above 0 (waiting up to the linger time), on a close thread of the
 * layer with linger off (waiting up to 2 s), as in {@code tls}. There is no wait while another
 * thread of the application is in a receive: closing the connection ends that receive.
 *
 * <p>Datagram sockets are refused: a WebSocket runs over a stream.
 *
 * <h2>Settings</h2>
 *
 * <ul>
 *   <li>{@code path}: the request target, from {@code /} (with a query if wanted); the server
 *       serves this path only.
 *   <li>{@code host}: the client's {@code Host} header; empty for the host and port the application
 *       connects to (port 80 left out).
 *   <li>{@code headers}: more request headers for the client, {@code Name: value} separated by
 *       {@code |} ({@code Authorization: Bearer abc|Origin: https://example.org}); a secret, so
 *       {@code @file:PATH} or {@code @env:NAME} keeps a token out of the catalog. The headers the
 *       handshake writes itself may not be set here; a {@code Sec-WebSocket-Protocol} offers
 *       subprotocols, one of which the server may choose.
 *   <li>{@code max-message}: the most bytes a message the peer sends may carry, fragments added, 1
 *       to 16777216; also the most this end puts in one message (64 KiB at most). A frame is read
 *       whole before its bytes are returned, so this bounds the memory a connection's receive side
 *       may take.
 *   <li>{@code handshake-timeout}: the longest time the opening handshake may take, on either side;
 *       {@code 0} for no bound.
 * </ul>
 *
 * <p>Each setting's default is the {@code defaultValue} of its {@code @SettingInfo} below ({@code
 * protochain catalog layers} lists them).
 *
 * <p>This class is thread-safe.
 */
@ProviderInfo(
    id = "8b593010-c6bc-4b7a-b44b-97b610e078b4",
    name = "websocket",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description =
        "Carries stream sockets as WebSocket connections (RFC 6455): binary messages after an HTTP/1.1 upgrade.",
    requiresBelow = {ServiceFlag.GUARANTEED_DELIVERY, ServiceFlag.GUARANTEED_ORDER},
    settings = {
      @SettingInfo(
          name = "path",
          defaultValue = "/",
          description = "the request target; the server serves this path only"),
      @SettingInfo(
          name = "host",
          description = "the client's Host header; empty for the host and port connected to"),
      @SettingInfo(
          name = "headers",
          secret = true,
          description = "more request headers, 'Name: value' separated by '|'"),
      @SettingInfo(
          name = "max-message",
          defaultValue = "1048576",
          description = "most bytes of a message, fragments added (1 to 16777216)"),
      @SettingInfo(
          name = "handshake-timeout",
          defaultValue = "30s",
          description = "longest time the opening handshake may take; 0 for no bound")
    })
public final class WebSocketLayer extends AbstractLayer {

  /** The largest {@code max-message}. */
  public static final int MAX_MESSAGE = 16 << 20;

  /** The most payload this end puts in one frame. */
  static final int MAX_SENT = 64 * 1024;

  private volatile String describe;
  private volatile String path;
  private volatile String host;
  private volatile List<Handshake.Header> headers;
  private volatile String offeredProtocols;
  private volatile int maxMessage;
  private volatile Duration handshakeTimeout;
  private volatile LayerTimer threads;
  private volatile LingeringClose.Shared closes;

  /** Creates the layer; the runtime calls this. */
  public WebSocketLayer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    CatalogEntry entry = context.entry();
    Settings s = settings();
    describe = "layer '" + entry.name() + "' (entry " + entry.id() + ")";
    path = s.getString("path").trim();
    if (!path.startsWith("/") || !isVisibleAscii(path)) {
      throw new IllegalArgumentException(
          "setting 'path' of "
              + entry
              + " = '"
              + path
              + "' is not a request target (expected: '/' then visible ASCII, such as /tunnel)");
    }
    host = s.get("host").orElse("").trim();
    if (!isVisibleAscii(host)) {
      throw new IllegalArgumentException(
          "setting 'host' of " + entry + " = '" + host + "' is not a host[:port] in visible ASCII");
    }
    headers = parseHeaders(entry, s.get("headers").orElse(""));
    offeredProtocols = null;
    for (Handshake.Header h : headers) {
      if (h.name().equalsIgnoreCase("sec-websocket-protocol")) {
        offeredProtocols =
            offeredProtocols == null ? h.value() : offeredProtocols + ", " + h.value();
      }
    }
    maxMessage = s.getInt("max-message", 1, MAX_MESSAGE);
    handshakeTimeout = s.getDuration("handshake-timeout"); // refuses a negative one
    threads = LayerTimer.start("websocket", context);
    closes =
        new LingeringClose.Shared(
            threads, this::linger, this::unlinger, WebSocketSocket.CLOSE_WAIT, describe);
  }

  @Override
  protected void onUnload() throws IOException {
    LayerTimer.stop(threads, "websocket", context().entry());
  }

  /**
   * Parses the {@code headers} setting: {@code Name: value} entries separated by {@code |}.
   *
   * @throws IllegalArgumentException for an entry without a colon, a name that is not an HTTP
   *     token, a value with a control character, or a header the handshake writes itself; the
   *     message names the setting and the entry but never the value, which may be a secret
   */
  static List<Handshake.Header> parseHeaders(CatalogEntry entry, String text) {
    List<Handshake.Header> out = new ArrayList<>();
    if (text.isBlank()) {
      return List.of();
    }
    int n = 0;
    for (String item : text.split("\\|", -1)) {
      n++;
      int colon = item.indexOf(':');
      String name = colon < 0 ? "" : item.substring(0, colon).trim();
      String value = colon < 0 ? "" : item.substring(colon + 1).trim();
      String problem = null;
      if (colon < 0 || !Handshake.isToken(name)) {
        problem = "is not 'Name: value' with a name of letters, digits and !#$%&'*+-.^_`|~";
      } else if (Handshake.OWN.contains(name.toLowerCase(Locale.ROOT))) {
        problem = "sets " + name + ", which the handshake writes itself";
      } else if (!value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f && c < 0x100))) {
        problem = "has a control character in the value of " + name;
      }
      if (problem != null) {
        throw new IllegalArgumentException(
            "setting 'headers' of "
                + entry
                + ": header "
                + n
                + " "
                + problem
                + " (expected: 'Name: value' entries separated by '|')");
      }
      out.add(new Handshake.Header(name, value));
    }
    return List.copyOf(out);
  }

  private static boolean isVisibleAscii(String s) {
    return s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  /**
   * Returns a websocket socket over {@code below}.
   *
   * @throws UnsupportedOperationException if {@code below} is a datagram socket
   */
  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    if (below.type() != SocketType.STREAM) {
      throw new UnsupportedOperationException(
          describe
              + " wraps stream sockets only, not "
              + below.type()
              + " sockets of "
              + context.entry()
              + " (a WebSocket runs over a stream)");
    }
    return new WebSocketSocket(this, below);
  }

  /* ---- for WebSocketSocket ---- */

  /** Returns {@code layer 'websocket' (entry 2001)}, for messages. */
  String describe() {
    return describe;
  }

  String path() {
    return path;
  }

  String host() {
    return host;
  }

  List<Handshake.Header> headers() {
    return headers;
  }

  /** Returns the subprotocols the client offers, or null. */
  String offeredProtocols() {
    return offeredProtocols;
  }

  int maxMessage() {
    return maxMessage;
  }

  int maxSentPayload() {
    return Math.min(maxMessage, MAX_SENT);
  }

  Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** Returns the close of a socket over {@code below}; see {@link LingeringClose}. */
  LingeringClose closing(ReentrantLock lock, ChainSocket below, LingeringClose.Rest rest) {
    return new LingeringClose(lock, below, closes, rest);
  }
}
