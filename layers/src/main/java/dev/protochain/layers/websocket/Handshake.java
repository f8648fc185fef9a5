package dev.protochain.layers.websocket;

import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The opening handshake of RFC 6455 section 4 over HTTP/1.1: the client's upgrade request, the
 * server's checks and answer, and the client's checks of the answer. Pure functions: the kit's
 * {@link dev.protochain.api.spi.HandshakeSocket.Exchange} reads the heads, {@value #MAX_HEAD} bytes
 * at the most.
 */
final class Handshake {

  /** The GUID of section 1.3, appended to the key to make the accept value. */
  static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /** The longest HTTP head either side reads, in bytes. */
  static final int MAX_HEAD = 8192;

  /** The headers the handshake writes itself, which the {@code headers} setting may not set. */
  static final List<String> OWN =
      List.of(
          "host",
          "upgrade",
          "connection",
          "sec-websocket-key",
          "sec-websocket-version",
          "sec-websocket-extensions",
          "sec-websocket-accept",
          "content-length",
          "transfer-encoding");

  private Handshake() {}

  /** One HTTP head: the request or status line, and the headers by lower-case name. */
  record Head(String startLine, Map<String, String> headers) {
    /** Returns a header's value (repeated headers joined by {@code ", "}), or null. */
    String get(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** A header the {@code headers} setting adds to the client's request. */
  record Header(String name, String value) {}

  /** Returns a fresh {@code Sec-WebSocket-Key}: 16 random bytes in base64 (section 4.1). */
  static String newKey(SecureRandom random) {
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  /** Returns the {@code Sec-WebSocket-Accept} for {@code key}: base64(SHA-1(key + GUID)). */
  static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }

  /* ---- the client ---- */

  /** Returns the client's upgrade request for {@code path} on {@code host}. */
  static byte[] request(String path, String host, String key, List<Header> extra) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("GET ").append(path).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(host).append("\r\n");
    sb.append("Upgrade: websocket\r\n");
    sb.append("Connection: Upgrade\r\n");
    sb.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
    sb.append("Sec-WebSocket-Version: 13\r\n");
    for (Header h : extra) {
      sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Checks the server's answer to a request made with {@code key} (section 4.1, the client's
   * checks): status 101, {@code Upgrade: websocket}, {@code Connection: upgrade}, the right {@code
   * Sec-WebSocket-Accept}, no extension (none was offered) and a subprotocol only among those
   * offered in {@code offeredProtocols} (the request's {@code Sec-WebSocket-Protocol}, or null).
   *
   * @throws ProtocolException naming what the server sent instead
   */
  static void checkResponse(Head response, String key, String offeredProtocols)
      throws ProtocolException {
    String status = response.startLine();
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new ProtocolException(
          "answered " + quote(status) + ", which is not an HTTP status line");
    }
    if (!parts[1].equals("101")) {
      throw new ProtocolException(
          "answered "
              + quote(status)
              + " (expected: HTTP/1.1 101 Switching Protocols)"
              + (parts[1].equals("426") && response.get("sec-websocket-version") != null
                  ? "; it speaks Sec-WebSocket-Version "
                      + quote(response.get("sec-websocket-version"))
                  : ""));
    }
    if (!parts[0].equals("HTTP/1.1")) {
      throw new ProtocolException(
          "answered " + quote(status) + " (expected: HTTP/1.1 101 Switching Protocols)");
    }
    expectToken(response, "Upgrade", "websocket");
    expectToken(response, "Connection", "upgrade");
    String expected = accept(key);
    String got = response.get("sec-websocket-accept");
    if (got == null) {
      throw new ProtocolException("answered 101 without a Sec-WebSocket-Accept header");
    }
    if (!got.equals(expected)) {
      throw new ProtocolException(
          "answered Sec-WebSocket-Accept "
              + quote(got)
              + " (expected: "
              + quote(expected)
              + ", for the key "
              + quote(key)
              + ")");
    }
    String extensions = response.get("sec-websocket-extensions");
    if (extensions != null) {
      throw new ProtocolException(
          "answered with Sec-WebSocket-Extensions " + quote(extensions) + ", and none was offered");
    }
    String protocol = response.get("sec-websocket-protocol");
    if (protocol != null && !tokens(offeredProtocols).contains(protocol.trim())) {
      throw new ProtocolException(
          "chose Sec-WebSocket-Protocol "
              + quote(protocol)
              + (offeredProtocols == null
                  ? ", and none was offered"
                  : ", not one of those offered: " + quote(offeredProtocols)));
    }
  }

  /** Returns whether {@code response} is an HTTP status other than 101: the server said no. */
  static boolean isRefusal(Head response) {
    String[] parts = response.startLine().split(" ", 3);
    return parts.length >= 2 && parts[0].startsWith("HTTP/") && !parts[1].equals("101");
  }

  /* ---- the server ---- */

  /**
   * The server's answer to a request: the bytes to send, and, if the upgrade is refused, why (the
   * answer is then an HTTP error that says it too).
   */
  record Answer(byte[] bytes, String refusal) {
    boolean accepted() {
      return refusal == null;
    }
  }

  /**
   * Checks a client's request (section 4.2.1) for {@code path} and returns the answer: 101 with
   * {@code Sec-WebSocket-Accept}, else 400, 404, 405 or 426 (with {@code Sec-WebSocket-Version:
   * 13}) and a one-line body saying what was wrong. No extension and no subprotocol is chosen.
   */
  static Answer answer(Head request, String path) {
    String line = request.startLine();
    String[] parts = line.split(" ", -1);
    if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
      return refuse(
          400, "Bad Request", "sent " + quote(line) + ", which is not an HTTP request line", "");
    }
    if (!parts[0].equals("GET")) {
      return refuse(
          405,
          "Method Not Allowed",
          "sent " + quote(line) + " (expected: GET " + path + " HTTP/1.1)",
          "Allow: GET\r\n");
    }
    if (!parts[2].equals("HTTP/1.1")) {
      return refuse(
          400, "Bad Request", "sent " + quote(line) + " (expected: GET " + path + " HTTP/1.1)", "");
    }
    if (!parts[1].equals(path)) {
      return refuse(
          404,
          "Not Found",
          "asked for " + quote(parts[1]) + " (this server serves " + quote(path) + ")",
          "");
    }
    String missing = null;
    if (request.get("host") == null) {
      missing = "sent no Host header";
    } else if (!tokens(request.get("upgrade")).contains("websocket")) {
      missing = "sent " + describe(request, "Upgrade") + " (expected: websocket)";
    } else if (!tokens(request.get("connection")).contains("upgrade")) {
      missing = "sent " + describe(request, "Connection") + " (expected: a list with Upgrade)";
    }
    if (missing != null) {
      return refuse(400, "Bad Request", missing, "");
    }
    String version = request.get("sec-websocket-version");
    if (version == null || !version.trim().equals("13")) {
      return refuse(
          426,
          "Upgrade Required",
          "sent " + describe(request, "Sec-WebSocket-Version") + " (this server speaks 13)",
          "Sec-WebSocket-Version: 13\r\n");
    }
    String key = request.get("sec-websocket-key");
    if (key == null || !isKey(key.trim())) {
      return refuse(
          400,
          "Bad Request",
          "sent " + describe(request, "Sec-WebSocket-Key") + " (expected: 16 bytes in base64)",
          "");
    }
    String ok =
        "HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: "
            + accept(key.trim())
            + "\r\n\r\n";
    return new Answer(ok.getBytes(StandardCharsets.ISO_8859_1), null);
  }

  private static Answer refuse(int code, String reason, String why, String extraHeaders) {
    byte[] body = ("the client " + why + "\n").getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + code
            + " "
            + reason
            + "\r\n"
            + extraHeaders
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return new Answer(all, why + "; answered " + code + " " + reason);
  }

  private static boolean isKey(String key) {
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /* ---- reading and parsing ---- */

  /**
   * Parses a head (without its empty line): the start line, then {@code Name: value} lines.
   *
   * @throws ProtocolException for a line without a colon, a name that is not a token, or a folded
   *     line
   */
  static Head parse(String head) throws ProtocolException {
    String[] lines = head.split("\r\n", -1);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String l = lines[i];
      int colon = l.indexOf(':');
      if (colon <= 0 || !isToken(l.substring(0, colon))) {
        throw new ProtocolException(
            "sent the header line "
                + quote(l)
                + " after "
                + quote(lines[0])
                + " (expected: Name: value)");
      }
      String name = l.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = l.substring(colon + 1).trim();
      headers.merge(name, value, (a, b) -> a + ", " + b);
    }
    return new Head(lines[0], headers);
  }

  /** Returns whether {@code s} is an HTTP token (RFC 9110 5.6.2), as header names are. */
  static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Returns the comma-separated tokens of a header value, trimmed and lower-case. */
  private static List<String> tokens(String value) {
    List<String> out = new ArrayList<>();
    if (value != null) {
      for (String t : value.split(",", -1)) {
        if (!t.isBlank()) {
          out.add(t.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  private static void expectToken(Head h, String name, String token) throws ProtocolException {
    if (!tokens(h.get(name)).contains(token)) {
      throw new ProtocolException(
          "answered 101 with " + describe(h, name) + " (expected: " + token + ")");
    }
  }

  private static String describe(Head h, String name) {
    String v = h.get(name);
    return v == null ? "no " + name + " header" : name + " " + quote(v);
  }

  /** Returns {@code s} in single quotes, control characters escaped, cut at 200 characters. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('\'');
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (s.length() > 200) {
      sb.append("...");
    }
    return sb.append('\'').toString();
  }
}
