package dev.protochain.layers.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.HandshakeException;
import dev.protochain.layers.Stock;
import dev.protochain.runtime.ChainRuntime;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The layer against hand-made peers on 127.0.0.1 (plain {@link java.net.Socket}s speaking HTTP and
 * frames byte by byte): what the client's request carries, the failures a wrong answer gives, and
 * how the server fails a client that breaks the protocol.
 */
@Timeout(60)
class WebSocketLayerTest {

  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  static ChainRuntime runtime(Map<String, String> settings) throws IOException {
    return Stock.runtime(Stock.catalog(WebSocketLayer.class, settings, "tcp4"));
  }

  /** Reads an HTTP head, byte by byte, to its empty line. */
  static String head(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the head ended early: " + b);
      }
      b.write(c);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  static String header(String head, String name) {
    for (String line : head.split("\r\n", -1)) {
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).trim();
      }
    }
    return null;
  }

  /**
   * Serves one connection: reads the request, answers what {@code answer} makes of it, and
   * completes the future returned with the request; then waits for the client to go.
   */
  CompletableFuture<String> server(ServerSocket listener, Function<String, String> answer) {
    CompletableFuture<String> request = new CompletableFuture<>();
    var unused =
        pool.submit(
            () -> {
              try (Socket s = listener.accept()) {
                String r = head(s.getInputStream());
                s.getOutputStream().write(answer.apply(r).getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                request.complete(r);
                s.getInputStream().read(); // until the client goes
              } catch (IOException | RuntimeException e) {
                request.completeExceptionally(e);
              }
              return null;
            });
    return request;
  }

  static ServerSocket listener() throws IOException {
    return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
  }

  static String ok(String request) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: "
        + Handshake.accept(header(request, "Sec-WebSocket-Key"))
        + "\r\n\r\n";
  }

  /* ---- the client ---- */

  @Test
  void theRequestCarriesPathHostAndTheExtraHeaders() throws Exception {
    try (ServerSocket l = listener();
        ChainRuntime runtime =
            runtime(
                Map.of(
                    "path", "/tunnel?x=1",
                    "headers", "Authorization: Bearer abc|Origin: https://example.org"));
        Session session = runtime.startup("websocket-tcp4");
        ChainSocket socket = session.open()) {
      CompletableFuture<String> request = server(l, WebSocketLayerTest::ok);
      socket.connect(new InetSocketAddress("127.0.0.1", l.getLocalPort()));
      String r = request.get(10, TimeUnit.SECONDS);
      String key = header(r, "Sec-WebSocket-Key");
      assertEquals(
          "GET /tunnel?x=1 HTTP/1.1\r\nHost: 127.0.0.1:"
              + l.getLocalPort()
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
              + key
              + "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer abc\r\nOrigin:"
              + " https://example.org\r\n\r\n",
          r);
    }
  }

  @Test
  void aServerThatAnswers404FailsTheConnectQuotingIt() throws Exception {
    try (ServerSocket l = listener();
        ChainRuntime runtime = runtime(Map.of());
        Session session = runtime.startup("websocket-tcp4");
        ChainSocket socket = session.open()) {
      var unused = server(l, r -> "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      HandshakeException e =
          assertThrows(
              HandshakeException.class,
              () -> socket.connect(new InetSocketAddress("127.0.0.1", l.getLocalPort())));
      assertEquals(HandshakeException.Reason.REFUSED, e.reason());
      assertEquals(
          "layer 'websocket' (entry 2001): the connecting handshake with /127.0.0.1:"
              + l.getLocalPort()
              + " failed at the upgrade response: the server answered 'HTTP/1.1 404 Not Found'"
              + " (expected: HTTP/1.1 101 Switching Protocols); the peer sent 45 bytes"
              + " \"HTTP/1.1 404 Not Found\\r\\nContent-Length: 0\\r\\n\\r\\n\"",
          e.getMessage());
      assertFalse(socket.isOpen());
    }
  }

  @Test
  void aWrongAcceptFailsTheConnectNamingBothValues() throws Exception {
    try (ServerSocket l = listener();
        ChainRuntime runtime = runtime(Map.of());
        Session session = runtime.startup("websocket-tcp4");
        ChainSocket socket = session.open()) {
      var unused = server(l, r -> ok(r).replaceFirst("Accept: [^\r]*", "Accept: bm90IGl0"));
      HandshakeException e =
          assertThrows(
              HandshakeException.class,
              () -> socket.connect(new InetSocketAddress("127.0.0.1", l.getLocalPort())));
      assertEquals(HandshakeException.Reason.MALFORMED, e.reason());
      assertTrue(
          e.getMessage()
              .contains(
                  "failed at the upgrade response: the server answered Sec-WebSocket-Accept"
                      + " 'bm90IGl0' (expected: '"),
          e.getMessage());
    }
  }

  /* ---- the server ---- */

  @Test
  void anUnmaskedFrameFromAClientFailsTheConnectionWithStatus1002() throws Exception {
    try (ChainRuntime runtime = runtime(Map.of());
        Session session = runtime.startup("websocket-tcp4");
        ChainSocket listener = Stock.listener(session);
        Socket raw = new Socket()) {
      Future<ChainSocket> accepted = pool.submit(listener::accept);
      raw.connect(listener.localAddress());
      OutputStream out = raw.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: "
                  + HandshakeTest.KEY
                  + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      String answer = head(raw.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), answer);
      out.write(HexFormat.of().parseHex("820568656c6c6f")); // "hello", unmasked
      try (ChainSocket server = accepted.get(10, TimeUnit.SECONDS)) {
        ProtocolException e =
            assertThrows(ProtocolException.class, () -> server.receive(ByteBuffer.allocate(16)));
        assertEquals(
            "layer 'websocket' (entry 2001): frame 1 is not masked (a client masks every frame,"
                + " RFC 6455 5.1), from /127.0.0.1:"
                + raw.getLocalPort()
                + " (the connection fails with status 1002 protocol error)",
            e.getMessage());
        byte[] close = new byte[2 + 2 + "protocol error".length()];
        new DataInputStream(raw.getInputStream()).readFully(close);
        assertArrayEquals(
            HexFormat.of()
                .parseHex(
                    "8810"
                        + "03ea"
                        + HexFormat.of()
                            .formatHex("protocol error".getBytes(StandardCharsets.US_ASCII))),
            close);
      }
    }
  }
}
