package dev.protochain.layers.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.testing.ExternalProcess;
import dev.protochain.runtime.testing.OpenSsl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code tls} layer against OpenSSL, both ways: our client over tcp4 against {@code openssl
 * s_server}, and {@code openssl s_client} against our server, over TLS 1.3 and TLS 1.2. Bytes are
 * compared exactly both ways (what one side sends is what the other prints or receives);
 * close_notify is seen in OpenSSL's {@code -state} trace ({@code SSL3 alert read:warning:close
 * notify}) and as the end of our stream.
 *
 * <p>OpenSSL reads its standard input in chunks and takes a chunk starting with certain letters for
 * a command ({@code Q}, {@code K}, {@code r}, ...), so the text it sends uses digits and a few
 * lower-case letters that are none of them.
 */
@Timeout(60)
class TlsInteropTest {

  static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir static Path dir;
  static OpenSsl openssl;
  static OpenSsl.Issued ca;
  static OpenSsl.Issued server;
  static Path serverChain;

  @BeforeAll
  static void makePki() throws Exception {
    openssl = OpenSsl.in(dir);
    ca = openssl.ca("ca");
    server = openssl.leaf("server", ca, "ec");
    serverChain = dir.resolve("server-chain.pem");
  }

  static ChainRuntime runtime(Map<String, String> settings) throws IOException {
    ProviderDescriptor tls = ProviderDescriptor.of(TlsLayer.class);
    Catalog catalog =
        Catalog.builtin().installLayer("tls", tls.id(), settings, List.of(1001)).checkValid("test");
    return ChainRuntime.builder().name("tls-interop").catalog(catalog).shutdownHook(false).build();
  }

  static Map<String, String> trustingCa() {
    return new HashMap<>(Map.of("trust", ca.cert().toString()));
  }

  /* ---- our client, openssl s_server ---- */

  @ParameterizedTest(name = "s_server {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void ourClientExchangesExactBytesWithOpensslServerAndClosesWithCloseNotify(String version)
      throws Exception {
    String toServer = text(32 * 1024, 1);
    String toClient = text(32 * 1024, 2);
    try (OpenSsl.Server s = openssl.server(server, version);
        ChainRuntime runtime = runtime(trustingCa());
        Session session = runtime.startup("tls-tcp4")) {
      ExternalProcess p = s.process();
      ChainSocket client = session.open();
      client.connect(new InetSocketAddress("127.0.0.1", s.port()));

      client.sendFully(ascii(toServer));
      String first = awaitReceived(p, toServer.length());
      assertEquals(
          toServer,
          first.substring(0, Math.min(toServer.length(), first.length())),
          () -> firstDifference(toServer, first));
      p.write(toClient);
      assertEquals(toClient, receive(client, toClient.length()));

      if (version.equals("-tls1_3")) {
        // A key update asking for ours: our next receive reads it and answers at once.
        p.write("K\n");
        p.awaitStderr("SSL_accept:TLSv1.3 write server key update", WAIT);
        p.write("after the key update 0123\n");
        assertEquals("after the key update 0123\n", receive(client, 26));
        client.sendFully(ascii("ours after the key update\n"));
        p.awaitStdout("ours after the key update\n", WAIT);
        p.awaitStderr("SSL_accept:TLSv1.3 read client key update", WAIT);
      }

      client.close();
      p.awaitStderr("SSL3 alert read:warning:close notify", WAIT);
      assertEquals(0, p.exitStatus(WAIT), p.stderr());
      assertTrue(p.stdout().contains("DONE\n"), p.stdout());
    }
  }

  /**
   * A key update reaching our receiving thread while another thread sends in bulk: the answer goes
   * out with the sender's next release of the write lock (or at once if it is free).
   */
  @Test
  void aKeyUpdateArrivingDuringABulkSendIsAnswered() throws Exception {
    String bulk = text(4 << 20, 5);
    ExecutorService pool = Executors.newCachedThreadPool();
    try (OpenSsl.Server s = openssl.server(server, "-tls1_3");
        ChainRuntime runtime = runtime(trustingCa());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket client = session.open()) {
      ExternalProcess p = s.process();
      client.connect(new InetSocketAddress("127.0.0.1", s.port()));
      Future<String> reading = pool.submit(() -> receive(client, 6));
      Future<?> sending =
          pool.submit(
              () -> {
                ByteBuffer src = ascii(bulk);
                while (src.hasRemaining()) {
                  ByteBuffer chunk = src.slice();
                  chunk.limit(Math.min(chunk.remaining(), 64 * 1024));
                  client.sendFully(chunk);
                  src.position(src.position() + chunk.position());
                }
                return null;
              });
      awaitReceived(p, 64 * 1024);
      p.write("K\n");
      p.awaitStderr("SSL_accept:TLSv1.3 write server key update", WAIT);
      sending.get(30, TimeUnit.SECONDS);
      p.write("after\n");
      assertEquals("after\n", reading.get(15, TimeUnit.SECONDS));
      p.awaitStderr("SSL_accept:TLSv1.3 read client key update", WAIT);
      String received = awaitReceived(p, bulk.length());
      assertEquals(
          bulk,
          received.substring(0, Math.min(bulk.length(), received.length())),
          () -> firstDifference(bulk, received));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void ourClientRefusesAServerWhoseCertificateDoesNotNameTheServerName() throws Exception {
    Map<String, String> settings = trustingCa();
    settings.put("server-name", "wrong.example");
    try (OpenSsl.Server s = openssl.server(server);
        ChainRuntime runtime = runtime(settings);
        Session session = runtime.startup("tls-tcp4");
        ChainSocket client = session.open()) {
      SSLHandshakeException e =
          assertThrows(
              SSLHandshakeException.class,
              () -> client.connect(new InetSocketAddress("127.0.0.1", s.port())));
      assertEquals(
          "tls handshake with 127.0.0.1:"
              + s.port()
              + " failed (entry 2001 'tls'): No subject alternative "
              + "DNS name matching wrong.example found.",
          TlsChainTest.withoutAlertTag(e.getMessage()));
      s.process().awaitStderr("SSL3 alert read:fatal:certificate unknown", WAIT);
    }
  }

  @Test
  void ourClientChecksTheAddressConnectedToWhenNoServerNameIsSet() throws Exception {
    // 127.0.0.1 is among the certificate's IP addresses; the check passes and the handshake is
    // done.
    try (OpenSsl.Server s = openssl.server(server);
        ChainRuntime runtime = runtime(trustingCa());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket client = session.open()) {
      client.connect(new InetSocketAddress("127.0.0.1", s.port()));
      client.sendFully(ascii("checked\n"));
      s.process().awaitStdout("checked\n", WAIT);
      assertTrue(
          client.toString().contains(": TlsSocket[client TLSv1.3] -> TcpSocket[tcp4 "),
          client.toString());
    }
  }

  @Test
  void ourClientRefusesACertificateItsTrustStoreDoesNotVouchFor() throws Exception {
    // No trust setting: the JDK's trust store, which knows nothing of our throwaway CA.
    try (OpenSsl.Server s = openssl.server(server);
        ChainRuntime runtime = runtime(Map.of());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket client = session.open()) {
      SSLHandshakeException e =
          assertThrows(
              SSLHandshakeException.class,
              () -> client.connect(new InetSocketAddress("127.0.0.1", s.port())));
      assertEquals(
          "tls handshake with 127.0.0.1:"
              + s.port()
              + " failed (entry 2001 'tls'): PKIX path building "
              + "failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification "
              + "path to requested target",
          TlsChainTest.withoutAlertTag(e.getMessage()));
      s.process().awaitStderr("SSL3 alert read:fatal:certificate unknown", WAIT);
    }
  }

  @Test
  void ourClientReportsAConnectionEndingWithoutCloseNotifyAsTruncated() throws Exception {
    try (OpenSsl.Server s = openssl.server(server);
        ChainRuntime runtime = runtime(trustingCa());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket client = session.open()) {
      client.connect(new InetSocketAddress("127.0.0.1", s.port()));
      client.sendFully(ascii("before the kill\n"));
      s.process().awaitStdout("before the kill\n", WAIT);
      s.process().kill(); // the kernel closes its socket: a FIN and no close_notify
      SSLException e = assertThrows(SSLException.class, () -> receive(client, 1));
      assertEquals(
          "tls connection with 127.0.0.1:"
              + s.port()
              + " was truncated (entry 2001 'tls'): the peer closed "
              + "it without close_notify",
          e.getMessage());
    }
  }

  @Test
  void ourClientRefusesATls12Renegotiation() throws Exception {
    try (OpenSsl.Server s = openssl.server(server, "-tls1_2");
        ChainRuntime runtime = runtime(trustingCa());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket client = session.open()) {
      client.connect(new InetSocketAddress("127.0.0.1", s.port()));
      client.sendFully(ascii("hello\n"));
      s.process().awaitStdout("hello\n", WAIT);
      s.process().write("r\n"); // s_server sends a HelloRequest
      SSLException e = assertThrows(SSLException.class, () -> receive(client, 1));
      assertEquals(
          "tls connection with 127.0.0.1:"
              + s.port()
              + " failed (entry 2001 'tls'): the peer started a TLS "
              + "renegotiation, which this layer refuses",
          e.getMessage());
      SSLException later = assertThrows(SSLException.class, () -> client.send(ascii("more")));
      assertEquals(e.getMessage(), later.getMessage());
    }
  }

  /* ---- openssl s_client, our server ---- */

  @ParameterizedTest(name = "s_client {0}")
  @ValueSource(strings = {"-tls1_3", "-tls1_2"})
  void opensslClientExchangesExactBytesWithOurServerAndBothSeeCloseNotify(String version)
      throws Exception {
    String toServer = text(32 * 1024, 3);
    String toClient = text(32 * 1024, 4);
    Map<String, String> settings =
        Map.of("key", server.key().toString(), "cert", serverChain.toString());
    try (ChainRuntime runtime = runtime(settings);
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = TlsChainTest.listen(session)) {
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      try (ExternalProcess c =
          openssl.client(
              port,
              version,
              "-CAfile",
              ca.cert().toString(),
              "-verify_return_error",
              "-verify_hostname",
              "localhost",
              "-servername",
              "localhost")) {
        try (ChainSocket peer = listener.accept()) {
          c.write(toServer);
          assertEquals(toServer, receive(peer, toServer.length()));
          peer.sendFully(ascii(toClient));
          peer.shutdownOutput(); // close_notify: s_client answers with its own and exits
          assertEquals(-1, peer.receive(ByteBuffer.allocate(1)));
        }
        assertEquals(0, c.exitStatus(WAIT), c.stderr());
        assertEquals(toClient, c.stdout());
        String err = c.stderr();
        assertTrue(
            err.contains(
                "Protocol version: " + (version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2") + "\n"),
            err);
        assertTrue(err.contains("Verification: OK\n"), err);
        assertTrue(err.contains("SSL3 alert read:warning:close notify\n"), err);
        assertTrue(err.contains("SSL3 alert write:warning:close notify\n"), err);
      }
    }
  }

  /**
   * Over TLS 1.2, where the alert is readable: under TLS 1.3 OpenSSL sends this alert before it
   * switches to the handshake keys, and the JDK's engine cannot read it (it reports "Insufficient
   * buffer remaining for AEAD cipher fragment").
   */
  @Test
  void aClientThatDistrustsOurServerIsReportedWithItsAlert() throws Exception {
    OpenSsl.Issued otherCa = openssl.ca("other-ca");
    Map<String, String> settings =
        Map.of("key", server.key().toString(), "cert", serverChain.toString());
    try (ChainRuntime runtime = runtime(settings);
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = TlsChainTest.listen(session)) {
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      try (ExternalProcess c =
              openssl.client(
                  port, "-tls1_2", "-CAfile", otherCa.cert().toString(), "-verify_return_error");
          ChainSocket peer = listener.accept()) {
        SSLHandshakeException e =
            assertThrows(SSLHandshakeException.class, () -> peer.receive(ByteBuffer.allocate(1)));
        String message = TlsChainTest.withoutAlertTag(e.getMessage());
        assertTrue(
            message.matches(
                "tls handshake with 127\\.0\\.0\\.1:\\d+ failed \\(entry 2001 'tls'\\): "
                    + "the peer rejected our certificate \\(alert: unknown_ca\\)"),
            e.getMessage());
        assertNotEquals(0, c.exitStatus(WAIT));
        // our chain ends in our CA, which this client does not trust
        assertTrue(
            c.stderr()
                .contains(
                    "verify error:num=19:self-signed certificate in certificate chain\n"
                        + "SSL3 alert write:fatal:unknown CA\n"),
            c.stderr());
      }
    }
  }

  @Test
  void ourServerRefusesAClientInitiatedRenegotiation() throws Exception {
    Map<String, String> settings =
        Map.of("key", server.key().toString(), "cert", serverChain.toString());
    try (ChainRuntime runtime = runtime(settings);
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = TlsChainTest.listen(session)) {
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      try (ExternalProcess c = openssl.client(port, "-tls1_2", "-CAfile", ca.cert().toString());
          ChainSocket peer = listener.accept()) {
        int clientPort = ((InetSocketAddress) peer.remoteAddress()).getPort();
        c.write("hello\n");
        assertEquals("hello\n", receive(peer, 6));
        c.write("R\n"); // s_client starts a renegotiation
        SSLException e =
            assertThrows(SSLException.class, () -> peer.receive(ByteBuffer.allocate(1)));
        assertEquals(
            "tls connection with 127.0.0.1:"
                + clientPort
                + " failed (entry 2001 'tls'): the peer started a "
                + "TLS renegotiation, which this layer refuses",
            e.getMessage());
      }
    }
  }

  /* ---- helpers ---- */

  /**
   * Waits until s_server printed {@code length} received bytes and returns what it printed after
   * the session summary it prints once the handshake is done (ending with "Secure Renegotiation IS
   * ..."). A read that found only part of a record ("Read BLOCK") is reported on the same output,
   * between two reads of ours, and so is the key update s_server sent: those lines are removed,
   * text our alphabet never contains.
   */
  static String awaitReceived(ExternalProcess p, int length) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      String out = p.stdout().replace("SSL_do_handshake -> 1\n", "").replace("Read BLOCK\n", "");
      int start = out.indexOf("Secure Renegotiation IS");
      String received = start < 0 ? "" : out.substring(out.indexOf('\n', start) + 1);
      if (received.length() >= length) {
        return received;
      }
      if (System.nanoTime() > deadline) {
        return received
            + " (only "
            + received.length()
            + " of "
            + length
            + " bytes within "
            + WAIT.toSeconds()
            + " s)";
      }
      Thread.sleep(20);
    }
  }

  static String firstDifference(String expected, String actual) {
    int i = 0;
    while (i < expected.length() && i < actual.length() && expected.charAt(i) == actual.charAt(i)) {
      i++;
    }
    int from = Math.max(0, i - 80);
    return "first difference at "
        + i
        + ": expected ..."
        + expected.substring(from, Math.min(expected.length(), i + 80))
        + "... but was ..."
        + actual.substring(from, Math.min(actual.length(), i + 80))
        + "...";
  }

  /**
   * Returns {@code size} bytes of lines of digits and letters that s_server takes for no command.
   */
  static String text(int size, long seed) {
    String alphabet = "0123456789abdefghij";
    Random random = new Random(seed);
    StringBuilder b = new StringBuilder(size);
    while (b.length() < size) {
      b.append(b.length() % 64 == 63 ? '\n' : alphabet.charAt(random.nextInt(alphabet.length())));
    }
    b.setCharAt(size - 1, '\n');
    return b.toString();
  }

  static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  static String receive(ChainSocket socket, int length) throws IOException {
    ByteBuffer got = ByteBuffer.allocate(length);
    if (!socket.receiveFully(got)) {
      throw new IOException(
          "the stream ended after " + got.position() + " of " + length + " bytes");
    }
    return new String(got.array(), StandardCharsets.ISO_8859_1);
  }
}
