package dev.protochain.layers.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.testing.ExternalProcess;
import dev.protochain.runtime.testing.OpenSsl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A handshake the peer fails says what the peer did, in our words, on the accept side (where the
 * first operation of the accepted socket reports it, {@code remoteAddress} included, which {@code
 * protochain listen} calls first) and on the connect side. The peers are real: {@code openssl
 * s_client} and {@code s_server}, and plain sockets that speak HTTP, send noise or hang up.
 */
@Timeout(60)
class TlsPeerFailureTest {

  @TempDir static Path dir;
  static OpenSsl openssl;
  static OpenSsl.Issued ca;
  static OpenSsl.Issued server;
  static OpenSsl.Issued otherCa;
  static OpenSsl.Issued stranger;

  final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeAll
  static void makePki() throws Exception {
    openssl = OpenSsl.in(dir);
    ca = openssl.ca("ca");
    server = openssl.leaf("server", ca, "ec");
    otherCa = openssl.ca("other-ca");
    stranger = openssl.leaf("stranger", otherCa, "ec");
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  /* ---- our server ---- */

  @ParameterizedTest(name = "s_client {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void aClientThatDoesNotTrustOurCertificate(String version) throws Exception {
    try (ChainRuntime runtime = TlsInteropTest.runtime(bothSides());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = TlsChainTest.listen(session)) {
      int port = port(listener);
      try (ExternalProcess c =
              openssl.client(
                  port, version, "-CAfile", otherCa.cert().toString(), "-verify_return_error");
          ChainSocket accepted = listener.accept()) {
        assertAcceptedFails(accepted, "the peer rejected our certificate (alert: unknown_ca)");
      }
    }
  }

  @Test
  void aClientSpeakingPlainHttp() throws Exception {
    serverMeets(
        out -> out.write(ascii("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")),
        "the peer sent plain text ('GET / HTTP/1.1'), not a TLS record");
  }

  @Test
  void aClientSendingNoise() throws Exception {
    serverMeets(
        out -> out.write(NOISE),
        "the peer sent bytes that are not a TLS record (first bytes: "
            + "8f 00 ff 13 37 42 99 01 ...)");
  }

  @Test
  void aClientThatHangsUpAtOnce() throws Exception {
    serverMeets(
        out -> {}, "the peer closed the connection during the handshake, having sent nothing");
  }

  @Test
  void aClientThatHangsUpInTheMiddleOfItsHello() throws Exception {
    serverMeets(
        out -> out.write(HALF_A_HELLO),
        "the peer closed the connection during the handshake, after sending 9 bytes");
  }

  /* ---- our client ---- */

  /**
   * Under TLS 1.2 the server's verdict on our certificate ends our handshake; under TLS 1.3 our
   * handshake is over when the server reads our certificate, so the first receive reports it.
   */
  @ParameterizedTest(name = "s_server {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void aServerThatDoesNotTrustOurCertificate(String version) throws Exception {
    Map<String, String> settings = new HashMap<>(Map.of("trust", ca.cert().toString()));
    settings.put("key", stranger.key().toString());
    settings.put("cert", dir.resolve("stranger-chain.pem").toString());
    assertClientCertificateRefused(
        version, settings, "the peer rejected our certificate (alert: unknown_ca)");
  }

  @ParameterizedTest(name = "s_server {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void aServerThatWantsACertificateWeDoNotHave(String version) throws Exception {
    assertClientCertificateRefused(
        version,
        new HashMap<>(Map.of("trust", ca.cert().toString())),
        version.equals("-tls1_3")
            ? "the peer requires a certificate of ours, and this entry sent none "
                + "(alert: certificate_required)"
            : "the peer refused our handshake (no common cipher suite, or a certificate it needs) "
                + "(alert: handshake_failure)");
  }

  void assertClientCertificateRefused(String version, Map<String, String> settings, String what)
      throws Exception {
    try (OpenSsl.Server s =
            // -verifyCAfile, not -CAfile: the server names no CA in its request, so the JDK's key
            // manager offers our certificate even where the server will not trust it.
            openssl.server(
                server,
                version,
                "-Verify",
                "1",
                "-verify_return_error",
                "-verifyCAfile",
                ca.cert().toString());
        ChainRuntime runtime = TlsInteropTest.runtime(settings);
        Session session = runtime.startup("tls-tcp4");
        ChainSocket client = session.open()) {
      if (version.equals("-tls1_2")) {
        assertConnectFails(client, s.port(), what);
      } else {
        client.connect(new InetSocketAddress("127.0.0.1", s.port()));
        SSLException e =
            assertThrows(SSLException.class, () -> client.receive(ByteBuffer.allocate(1)));
        assertEquals(
            "tls connection with 127.0.0.1:" + s.port() + " failed (entry 2001 'tls'): " + what,
            e.getMessage());
      }
    }
  }

  @Test
  void aServerSpeakingPlainHttp() throws Exception {
    clientMeets(
        out -> out.write(ascii("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")),
        "the peer sent plain text ('HTTP/1.1 400 Bad Request'), not a TLS record");
  }

  @Test
  void aServerSendingNoise() throws Exception {
    clientMeets(
        out -> out.write(NOISE),
        "the peer sent bytes that are not a TLS record (first bytes: 8f 00 ff 13 37 42 99 01 ...)");
  }

  @Test
  void aServerThatHangsUpAtOnce() throws Exception {
    clientMeets(
        out -> {}, "the peer closed the connection during the handshake, having sent nothing");
  }

  /* ---- helpers ---- */

  /** Settings that accept with the server's certificate and connect trusting the CA. */
  static Map<String, String> bothSides() {
    Map<String, String> s = new HashMap<>(Map.of("trust", ca.cert().toString()));
    s.put("key", server.key().toString());
    s.put("cert", dir.resolve("server-chain.pem").toString());
    return s;
  }

  static final byte[] NOISE = {
    (byte) 0x8f, 0, (byte) 0xff, 0x13, 0x37, 0x42, (byte) 0x99, 1, 2, 3, 4, 5, 6, 7, 8, 9
  };

  /** A record header announcing a 200-byte ClientHello, and the first 4 bytes of it. */
  static final byte[] HALF_A_HELLO = {0x16, 3, 1, 0, (byte) 200, 1, 0, 0, (byte) 196};

  interface Peer {
    void act(OutputStream out) throws IOException;
  }

  /** Has a plain client connect to our server, do {@code what} and hang up. */
  void serverMeets(Peer what, String expected) throws Exception {
    try (ChainRuntime runtime = TlsInteropTest.runtime(bothSides());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = TlsChainTest.listen(session)) {
      InetSocketAddress at = (InetSocketAddress) listener.localAddress();
      Future<?> client =
          pool.submit(
              () -> {
                try (Socket plain = new Socket(at.getAddress(), at.getPort())) {
                  what.act(plain.getOutputStream());
                  plain.shutdownOutput();
                  plain.getInputStream().readAllBytes(); // our alert, if any, then our close
                }
                return null;
              });
      try (ChainSocket accepted = listener.accept()) {
        assertAcceptedFails(accepted, expected);
      }
      client.get(10, TimeUnit.SECONDS);
    }
  }

  /** Has our client connect to a plain server that reads a little, does {@code what}, hangs up. */
  void clientMeets(Peer what, String expected) throws Exception {
    try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        ChainRuntime runtime =
            TlsInteropTest.runtime(new HashMap<>(Map.of("trust", ca.cert().toString())));
        Session session = runtime.startup("tls-tcp4");
        ChainSocket client = session.open()) {
      Future<?> serving =
          pool.submit(
              () -> {
                try (Socket peer = plain.accept()) {
                  InputStream in = peer.getInputStream();
                  in.readNBytes(5); // the head of the ClientHello
                  what.act(peer.getOutputStream());
                }
                return null;
              });
      assertConnectFails(client, plain.getLocalPort(), expected);
      serving.get(10, TimeUnit.SECONDS);
    }
  }

  static void assertAcceptedFails(ChainSocket accepted, String expected) {
    String prefix = "tls handshake with 127.0.0.1:";
    SSLHandshakeException first =
        assertThrows(SSLHandshakeException.class, accepted::remoteAddress);
    String message = first.getMessage();
    String port = message.substring(prefix.length(), message.indexOf(' ', prefix.length()));
    assertEquals(prefix + port + " failed (entry 2001 'tls'): " + expected, message);
    SSLHandshakeException later =
        assertThrows(SSLHandshakeException.class, () -> accepted.receive(ByteBuffer.allocate(1)));
    assertEquals(message, later.getMessage());
  }

  static void assertConnectFails(ChainSocket client, int port, String expected) {
    SSLHandshakeException e =
        assertThrows(
            SSLHandshakeException.class,
            () -> client.connect(new InetSocketAddress("127.0.0.1", port)));
    assertEquals(
        "tls handshake with 127.0.0.1:" + port + " failed (entry 2001 'tls'): " + expected,
        e.getMessage());
  }

  static int port(ChainSocket listener) throws IOException {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
