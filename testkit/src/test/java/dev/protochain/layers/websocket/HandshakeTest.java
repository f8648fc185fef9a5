package dev.protochain.layers.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The opening handshake: RFC 6455's own example, the checks of both sides, the bounded head. */
class HandshakeTest {

  static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  /** Parses a head as the socket does, once the kit has read it to its empty line. */
  static Handshake.Head head(String text) throws Exception {
    return Handshake.parse(text.substring(0, text.indexOf("\r\n\r\n")));
  }

  static String response(String accept) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: "
        + accept
        + "\r\n\r\n";
  }

  @Test
  void theAcceptValueIsTheRfcsExample() {
    assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Handshake.accept(KEY)); // RFC 6455 1.3
    String key = Handshake.newKey(new SecureRandom());
    assertEquals(16, Base64.getDecoder().decode(key).length);
  }

  @Test
  void theRequestNamesPathHostKeyAndExtraHeaders() {
    byte[] r =
        Handshake.request(
            "/chat?x=1",
            "example.org:8080",
            KEY,
            List.of(
                new Handshake.Header("Authorization", "Bearer t"),
                new Handshake.Header("Origin", "http://a")));
    assertEquals(
        "GET /chat?x=1 HTTP/1.1\r\nHost: example.org:8080\r\nUpgrade: websocket\r\nConnection:"
            + " Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version:"
            + " 13\r\nAuthorization: Bearer t\r\nOrigin: http://a\r\n\r\n",
        new String(r, StandardCharsets.ISO_8859_1));
  }

  /* ---- the client's checks ---- */

  @Test
  void theRightAnswerPasses() throws Exception {
    Handshake.checkResponse(head(response("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")), KEY, null);
    Handshake.checkResponse(
        head(
            response("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
                .replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: chat\r\n\r\n")),
        KEY,
        "superchat, chat");
  }

  static String refusal(String response, String offered) throws Exception {
    Handshake.Head h = head(response);
    return assertThrows(ProtocolException.class, () -> Handshake.checkResponse(h, KEY, offered))
        .getMessage();
  }

  @Test
  void aWrongAnswerIsRefusedQuotingWhatTheServerSent() throws Exception {
    assertEquals(
        "answered 'HTTP/1.1 404 Not Found' (expected: HTTP/1.1 101 Switching Protocols)",
        refusal("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", null));
    assertEquals(
        "answered 'HTTP/1.1 426 Upgrade Required' (expected: HTTP/1.1 101 Switching Protocols); it"
            + " speaks Sec-WebSocket-Version '8'",
        refusal("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 8\r\n\r\n", null));
    assertEquals(
        "answered 'SSH-2.0-OpenSSH_9.2', which is not an HTTP status line",
        refusal("SSH-2.0-OpenSSH_9.2\r\n\r\n", null));
    assertEquals(
        "answered Sec-WebSocket-Accept 'AAAA' (expected: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', for the key"
            + " 'dGhlIHNhbXBsZSBub25jZQ==')",
        refusal(response("AAAA"), null));
    assertEquals(
        "answered 101 with Upgrade 'h2c' (expected: websocket)",
        refusal(response("x").replace("websocket", "h2c"), null));
    assertEquals(
        "answered 101 with no Connection header (expected: upgrade)",
        refusal(response("x").replace("Connection: Upgrade\r\n", ""), null));
    assertEquals(
        "answered 101 without a Sec-WebSocket-Accept header",
        refusal(response("x").replace("Sec-WebSocket-Accept: x\r\n", ""), null));
    String ok = response("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assertEquals(
        "answered with Sec-WebSocket-Extensions 'permessage-deflate', and none was offered",
        refusal(
            ok.replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
            null));
    assertEquals(
        "chose Sec-WebSocket-Protocol 'mqtt', not one of those offered: 'chat'",
        refusal(ok.replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"), "chat"));
  }

  /* ---- the server's checks ---- */

  static final String REQUEST =
      "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
          + "Sec-WebSocket-Key: "
          + KEY
          + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n";

  @Test
  void aGoodRequestIsAnsweredWith101AndNoExtension() throws Exception {
    Handshake.Answer a = Handshake.answer(head(REQUEST), "/ws");
    assertTrue(a.accepted());
    assertNull(a.refusal());
    assertEquals(
        response("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        new String(a.bytes(), StandardCharsets.ISO_8859_1));
  }

  static Handshake.Answer refused(String request) throws Exception {
    Handshake.Answer a = Handshake.answer(head(request), "/ws");
    assertFalse(a.accepted());
    return a;
  }

  @Test
  void aBadRequestIsAnsweredWithAnHttpErrorSayingWhy() throws Exception {
    Handshake.Answer a = refused(REQUEST.replace("/ws", "/other"));
    assertEquals(
        "asked for '/other' (this server serves '/ws'); answered 404 Not Found", a.refusal());
    assertEquals(
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length:"
            + " 57\r\nConnection: close\r\n\r\nthe client asked for '/other' (this server serves"
            + " '/ws')\n",
        new String(a.bytes(), StandardCharsets.UTF_8));
    assertEquals(
        "sent 'POST /ws HTTP/1.1' (expected: GET /ws HTTP/1.1); answered 405 Method Not Allowed",
        refused(REQUEST.replace("GET", "POST")).refusal());
    assertEquals(
        "sent 'GET /ws HTTP/1.0' (expected: GET /ws HTTP/1.1); answered 400 Bad Request",
        refused(REQUEST.replace("HTTP/1.1", "HTTP/1.0")).refusal());
    assertEquals(
        "sent no Host header; answered 400 Bad Request",
        refused(REQUEST.replace("Host: h\r\n", "")).refusal());
    assertEquals(
        "sent no Upgrade header (expected: websocket); answered 400 Bad Request",
        refused(REQUEST.replace("Upgrade: WebSocket\r\n", "")).refusal());
    assertEquals(
        "sent Connection 'keep-alive' (expected: a list with Upgrade); answered 400 Bad Request",
        refused(REQUEST.replace("keep-alive, Upgrade", "keep-alive")).refusal());
    Handshake.Answer v = refused(REQUEST.replace("Version: 13", "Version: 8"));
    assertEquals(
        "sent Sec-WebSocket-Version '8' (this server speaks 13); answered 426 Upgrade Required",
        v.refusal());
    assertTrue(
        new String(v.bytes(), StandardCharsets.UTF_8)
            .contains("\r\nSec-WebSocket-Version: 13\r\n"));
    assertEquals(
        "sent Sec-WebSocket-Key 'abc' (expected: 16 bytes in base64); answered 400 Bad Request",
        refused(REQUEST.replace(KEY, "abc")).refusal());
  }

  /* ---- parsing heads ---- */

  @Test
  void repeatedHeadersAreJoined() throws Exception {
    assertEquals("a, b", head("X 1\r\nV: a\r\nv:b\r\n\r\n").get("v"));
  }

  @Test
  void aMalformedHeadIsRefused() throws Exception {
    assertEquals(
        "sent the header line 'no colon\\x01' after 'HTTP/1.1 101 X' (expected: Name: value)",
        assertThrows(
                ProtocolException.class, () -> head("HTTP/1.1 101 X\r\nno colon\u0001\r\n\r\n"))
            .getMessage());
    assertEquals(
        "sent the header line ' folded: x' after 'HTTP/1.1 101 X' (expected: Name: value)",
        assertThrows(
                ProtocolException.class, () -> head("HTTP/1.1 101 X\r\nA: b\r\n folded: x\r\n\r\n"))
            .getMessage());
  }
}
