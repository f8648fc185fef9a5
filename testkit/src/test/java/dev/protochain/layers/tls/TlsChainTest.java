package dev.protochain.layers.tls;

import static dev.protochain.runtime.testing.Clients.connectMany;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LifecycleEvent;
import dev.protochain.runtime.testing.Bounded;
import dev.protochain.runtime.testing.ExternalProcess;
import dev.protochain.runtime.testing.OpenSsl;
import dev.protochain.runtime.testing.Peer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code tls} layer with protochain on both ends (and, where a test needs a peer that
 * misbehaves, a plain JSSE or TCP peer): bytes intact through a chain, graceful and abortive
 * closes, truncation, timeouts, key material from PEM and PKCS#12, and settings refused at load.
 * The certificates come from a throwaway CA made with {@code openssl} once per class.
 */
@Timeout(60)
class TlsChainTest {

  static final int MIB = 1 << 20;

  @TempDir static Path dir;
  static OpenSsl openssl;
  static OpenSsl.Issued ca;
  static OpenSsl.Issued server;

  final ExecutorService pool = Executors.newCachedThreadPool();
  final List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void makePki() throws Exception {
    openssl = OpenSsl.in(dir);
    ca = openssl.ca("ca");
    server = openssl.leaf("server", ca, "ec");
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  /**
   * Settings for an entry that both accepts (with the server's key) and connects (trusting the CA).
   */
  static Map<String, String> bothSides() {
    Map<String, String> s = new HashMap<>();
    s.put("trust", ca.cert().toString());
    s.put("key", server.key().toString());
    s.put("cert", dir.resolve("server-chain.pem").toString());
    return s;
  }

  /**
   * The built-in catalog with tls (entry 2001) over tcp4 (chain 3001) and mem-stream (chain 3002).
   */
  static Catalog catalog(Map<String, String> settings) throws IOException {
    ProviderDescriptor tls = ProviderDescriptor.of(TlsLayer.class);
    return Catalog.builtin()
        .installLayer("tls", tls.id(), settings, List.of(1001, 1005))
        .checkValid("test catalog");
  }

  ChainRuntime runtime(Map<String, String> settings) throws IOException {
    return ChainRuntime.builder()
        .name("tls-test")
        .catalog(catalog(settings))
        .shutdownHook(false)
        .listener(events::add)
        .build();
  }

  /* ---- bytes ---- */

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tls-tcp4", "tls-mem-stream"})
  void sixteenMebibytesEchoIntactAndBothSidesSeeCloseNotify(String chain) throws Exception {
    byte[] payload = random(16 * MIB, 1);
    ByteBuffer back = ByteBuffer.allocate(payload.length);
    try (ChainRuntime runtime = runtime(bothSides());
        Session serverSession = runtime.startup(chain);
        Session clientSession = runtime.startup(chain)) {
      ChainSocket listener = serverSession.open();
      listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      listener.listen(1);
      Future<Long> echoing =
          pool.submit(
              () -> {
                long echoed = 0;
                try (ChainSocket peer = listener.accept()) {
                  ByteBuffer buf =
                      ByteBuffer.allocate(37_000); // odd size: partial reads and writes
                  int n;
                  while ((n = peer.receive(buf.clear())) >= 0) {
                    peer.sendFully(buf.flip());
                    echoed += n;
                  }
                  peer.shutdownOutput(); // -1 above was the client's close_notify; now ours
                }
                return echoed;
              });
      try (ChainSocket socket = clientSession.open()) {
        socket.connect(listener.localAddress(), Duration.ofSeconds(10));
        Future<?> sending =
            pool.submit(
                () -> {
                  Random sizes = new Random(7);
                  ByteBuffer src = ByteBuffer.wrap(payload);
                  while (src.hasRemaining()) {
                    ByteBuffer chunk = src.slice();
                    chunk.limit(Math.min(chunk.remaining(), 1 + sizes.nextInt(40_000)));
                    socket.sendFully(chunk);
                    src.position(src.position() + chunk.position());
                  }
                  socket.shutdownOutput();
                  return null;
                });
        ByteBuffer small = ByteBuffer.allocate(777);
        int n;
        while ((n = socket.receive(small.clear())) >= 0) {
          back.put(small.flip());
          assertTrue(n > 0);
        }
        sending.get(60, TimeUnit.SECONDS);
      }
      assertEquals(payload.length, echoing.get(60, TimeUnit.SECONDS));
      listener.close();
    }
    assertEquals(payload.length, back.position());
    assertArrayEquals(sha256(payload), sha256(back.array()));
  }

  @Test
  void manyConnectionsAtOnceEachEchoIntact() throws Exception {
    int connections = 16;
    try (ChainRuntime runtime = runtime(bothSides());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = listen(session)) {
      Future<?> serving =
          pool.submit(
              () -> {
                for (int i = 0; i < connections; i++) {
                  ChainSocket peer = listener.accept();
                  var unused = // a failed echo shows as the client's wrong answer
                      pool.submit(
                          () -> {
                            try (peer) {
                              ByteBuffer buf = ByteBuffer.allocate(10_000);
                              while (peer.receive(buf.clear()) >= 0) {
                                peer.sendFully(buf.flip());
                              }
                              peer.shutdownOutput();
                            }
                            return null;
                          });
                }
                return null;
              });
      List<Future<Boolean>> clients = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        byte[] payload = random(512 * 1024, 100 + i);
        clients.add(
            pool.submit(
                () -> {
                  try (ChainSocket client = session.open()) {
                    client.connect(listener.localAddress());
                    Future<?> sending =
                        pool.submit(
                            () -> {
                              client.sendFully(ByteBuffer.wrap(payload));
                              client.shutdownOutput();
                              return null;
                            });
                    ByteBuffer back = ByteBuffer.allocate(payload.length);
                    boolean whole = client.receiveFully(back);
                    sending.get(30, TimeUnit.SECONDS);
                    return whole
                        && client.receive(ByteBuffer.allocate(1)) == -1
                        && java.util.Arrays.equals(payload, back.array());
                  }
                }));
      }
      for (Future<Boolean> c : clients) {
        assertTrue(c.get(60, TimeUnit.SECONDS));
      }
      serving.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPkcs12KeystoreWithAnRsaKeyServesLikePemFiles() throws Exception {
    OpenSsl.Issued rsa = openssl.leaf("rsa-server", ca, "rsa");
    Path p12 = openssl.pkcs12("rsa-server", rsa, ca, "s3cret");
    Map<String, String> settings =
        Map.of(
            "trust",
            ca.cert().toString(),
            "keystore",
            p12.toString(),
            "keystore-password",
            "s3cret");
    try (ChainRuntime runtime = runtime(settings)) {
      assertEquals("hello over RSA", exchange(runtime, "hello over RSA"));
    }
  }

  /** Sends {@code text} from a client to a server of {@code tls-tcp4} and returns what arrived. */
  String exchange(ChainRuntime runtime, String text) throws Exception {
    try (Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = session.open()) {
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      listener.listen(1);
      Future<String> received =
          pool.submit(
              () -> {
                try (ChainSocket peer = listener.accept()) {
                  byte[] got = new byte[text.length()];
                  assertTrue(peer.receiveFully(ByteBuffer.wrap(got)));
                  assertEquals(-1, peer.receive(ByteBuffer.allocate(1)));
                  return new String(got, StandardCharsets.UTF_8);
                }
              });
      try (ChainSocket client = session.open()) {
        client.connect(listener.localAddress());
        client.sendFully(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      }
      return received.get(20, TimeUnit.SECONDS);
    }
  }

  /* ---- closing ---- */

  @Test
  void closeWithLingerOffReturnsAtOnceAndThePeerSeesCloseNotify() throws Exception {
    try (ChainRuntime runtime = runtime(bothSides());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = listen(session)) {
      Future<ChainSocket> accepted = pool.submit(listener::accept);
      ChainSocket client = session.open();
      client.connect(listener.localAddress());
      client.sendFully(ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII)));
      try (ChainSocket peer = accepted.get(10, TimeUnit.SECONDS)) {
        client.close();
        assertFalse(client.isOpen());
        ByteBuffer got = ByteBuffer.allocate(3);
        assertTrue(peer.receiveFully(got));
        assertEquals(-1, peer.receive(ByteBuffer.allocate(1)));
        assertEquals(
            -1, peer.receive(ByteBuffer.allocate(1)), "the end of the stream stays the end");
      }
    }
  }

  /**
   * {@code close()} may be called from any thread and twice is harmless: a socket closed by 2 and
   * by 8 threads at once, right after a send, with linger off and with linger on, delivers every
   * byte and its close_notify, and the session's final cleanup then succeeds.
   */
  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {2, 8})
  void closingFromManyThreadsAtOnceLosesNoByte(int threads) throws Exception {
    int rounds = 30;
    byte[] payload = random(20_000, threads);
    ExecutorService closers = Executors.newFixedThreadPool(threads);
    try (ChainRuntime runtime = runtime(bothSides())) {
      Session session = runtime.startup("tls-tcp4");
      try (ChainSocket listener = listen(session)) {
        for (int round = 0; round < rounds; round++) {
          Future<byte[]> received =
              pool.submit(
                  () -> {
                    try (ChainSocket peer = listener.accept()) {
                      ByteBuffer all = ByteBuffer.allocate(payload.length + 1);
                      while (peer.receive(all) >= 0) {
                        assertTrue(all.hasRemaining(), "more bytes than were sent");
                      }
                      return java.util.Arrays.copyOf(all.array(), all.position());
                    }
                  });
          ChainSocket client = session.open();
          if (round % 2 == 1) {
            client.setOption(StandardSocketOptions.SO_LINGER, 5);
          }
          client.connect(listener.localAddress());
          client.sendFully(ByteBuffer.wrap(payload));
          java.util.concurrent.CyclicBarrier start =
              new java.util.concurrent.CyclicBarrier(threads);
          List<Future<?>> closes = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            closes.add(
                closers.submit(
                    () -> {
                      start.await(5, TimeUnit.SECONDS);
                      client.close();
                      return null;
                    }));
          }
          for (Future<?> close : closes) {
            close.get(10, TimeUnit.SECONDS);
          }
          assertFalse(client.isOpen());
          assertArrayEquals(payload, received.get(10, TimeUnit.SECONDS), "round " + round);
        }
      }
      session.close();
      assertEquals(Map.of(1001, 0, 2001, 0), runtime.counts());
    } finally {
      closers.shutdownNow();
    }
    assertNothingUndeliveredOrFailed();
  }

  /**
   * A graceful close with linger off runs on a thread of the layer, which waits for the peer's
   * close: 64 of them at once, peers that do not close yet, ran on 64 platform threads. Now at most
   * 16 platform threads run them (JDK 17), or none (virtual threads, JDK 21 and later).
   */
  @Test
  void manyGracefulClosesAtOnceDoNotStartAPlatformThreadEach() throws Exception {
    int connections = 64;
    try (ChainRuntime runtime = runtime(bothSides());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = listen(session)) {
      List<ChainSocket> peers = new ArrayList<>();
      try {
        for (ChainSocket client : connectMany(pool, session, listener, connections, peers)) {
          client.close(); // returns at once; a thread of the layer waits for the peer's close
        }
        int most = 0;
        for (int i = 0; i < 20; i++) {
          most = Math.max(most, platformThreads("protochain-tls-close-tls"));
          Thread.sleep(25);
        }
        assertTrue(most <= 16, most + " platform threads ran " + connections + " closes");
        for (int i = 0; i < connections; i++) {
          ByteBuffer got = ByteBuffer.allocate(2);
          assertEquals(1, peers.get(i).receive(got));
          assertEquals(i, got.get(0));
          assertEquals(-1, peers.get(i).receive(got.clear()), "close_notify of connection " + i);
        }
      } finally {
        for (ChainSocket peer : peers) {
          peer.close();
        }
      }
    }
    assertNothingUndeliveredOrFailed();
  }

  /** Returns how many live platform threads are named {@code name}. */
  static int platformThreads(String name) {
    return (int)
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).count();
  }

  @Test
  void theFinalCleanupClosesOpenSocketsWithCloseNotify() throws Exception {
    try (ChainRuntime serverRuntime = runtime(bothSides());
        Session serverSession = serverRuntime.startup("tls-tcp4");
        ChainSocket listener = listen(serverSession)) {
      Future<ChainSocket> accepted = pool.submit(listener::accept);
      ChainRuntime clientRuntime = runtime(bothSides());
      Session clientSession = clientRuntime.startup("tls-tcp4");
      ChainSocket client = clientSession.open();
      client.connect(listener.localAddress());
      ChainSocket peer = accepted.get(10, TimeUnit.SECONDS);
      Future<Integer> end =
          pool.submit(
              () -> {
                try (peer) {
                  return peer.receive(ByteBuffer.allocate(1)); // closes at the end, as a peer does
                }
              });
      clientRuntime.close(); // the final cleanup of tls closes the client socket, then drains
      assertEquals(-1, end.get(10, TimeUnit.SECONDS));
      assertFalse(client.isOpen());
      assertEquals(Map.of(1001, 0, 2001, 0), clientRuntime.counts());
    }
    assertNothingUndeliveredOrFailed();
  }

  @Test
  void lingerZeroResetsTheConnectionWithoutCloseNotify() throws Exception {
    try (ChainRuntime runtime = runtime(bothSides());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = listen(session)) {
      Future<ChainSocket> accepted = pool.submit(listener::accept);
      ChainSocket client = session.open();
      client.connect(listener.localAddress());
      try (ChainSocket peer = accepted.get(10, TimeUnit.SECONDS)) {
        peer.flush();
        client.setOption(StandardSocketOptions.SO_LINGER, 0);
        client.close();
        SocketException e =
            assertThrows(SocketException.class, () -> peer.receive(ByteBuffer.allocate(1)));
        assertEquals("Connection reset", e.getMessage());
      }
    }
  }

  @Test
  void aPeerClosingWithoutCloseNotifyTruncatesTheStreamWithAClearError() throws Exception {
    try (ChainRuntime runtime = runtime(bothSides());
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = listen(session)) {
      Future<ChainSocket> accepted = pool.submit(listener::accept);
      InetSocketAddress at = (InetSocketAddress) listener.localAddress();
      Socket plain = new Socket(at.getAddress(), at.getPort());
      SSLSocket jsse =
          (SSLSocket)
              jsseTrustingCa()
                  .getSocketFactory()
                  .createSocket(plain, "localhost", at.getPort(), false);
      jsse.getOutputStream().write("cut".getBytes(StandardCharsets.US_ASCII));
      jsse.getOutputStream().flush();
      try (ChainSocket peer = accepted.get(10, TimeUnit.SECONDS)) {
        ByteBuffer got = ByteBuffer.allocate(3);
        assertTrue(peer.receiveFully(got));
        plain.close(); // TCP FIN, no close_notify
        SSLException e =
            assertThrows(SSLException.class, () -> peer.receive(ByteBuffer.allocate(1)));
        assertEquals(
            "tls connection with 127.0.0.1:"
                + plain.getLocalPort()
                + " was truncated (entry 2001 'tls'): "
                + "the peer closed it without close_notify",
            e.getMessage());
        SSLException again =
            assertThrows(SSLException.class, () -> peer.receive(ByteBuffer.allocate(1)));
        assertEquals(e.getMessage(), again.getMessage());
      }
    }
  }

  /* ---- handshakes ---- */

  @Test
  void aSilentServerFailsTheConnectAfterTheHandshakeTimeout() throws Exception {
    Map<String, String> settings = bothSides();
    settings.put("handshake-timeout", "300ms");
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        ChainRuntime runtime = runtime(settings);
        Session session = runtime.startup("tls-tcp4");
        ChainSocket client = session.open()) {
      Future<Socket> accepted = pool.submit(silent::accept);
      long start = System.nanoTime();
      SocketTimeoutException e =
          assertThrows(
              SocketTimeoutException.class, () -> client.connect(silent.getLocalSocketAddress()));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(
          "tls handshake with 127.0.0.1:"
              + silent.getLocalPort()
              + " failed (entry 2001 'tls'): "
              + "no answer within 300ms",
          e.getMessage());
      assertTrue(millis >= 250 && millis < 5_000, millis + " ms");
      assertFalse(client.isOpen(), "a failed handshake closes the socket");
      accepted.get(5, TimeUnit.SECONDS).close();
    }
  }

  @Test
  void aClientThatNeverHandshakesHoldsAcceptOnlyUntilTheHandshakeTimeout() throws Exception {
    Map<String, String> settings = bothSides();
    settings.put("handshake-timeout", "300ms");
    try (ChainRuntime runtime = runtime(settings);
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = listen(session)) {
      InetSocketAddress at = (InetSocketAddress) listener.localAddress();
      try (Socket silent = new Socket(at.getAddress(), at.getPort())) {
        long start = System.nanoTime();
        try (ChainSocket accepted = listener.accept()) {
          long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          assertTrue(millis >= 250 && millis < 5_000, millis + " ms");
          SocketTimeoutException e =
              assertThrows(
                  SocketTimeoutException.class, () -> accepted.receive(ByteBuffer.allocate(1)));
          assertEquals(
              "tls handshake with 127.0.0.1:"
                  + silent.getLocalPort()
                  + " failed (entry 2001 'tls'): "
                  + "no answer within 300ms",
              e.getMessage());
          assertEquals(
              -1, silent.getInputStream().read(), "the failed handshake closed the connection");
        }
      }
    }
  }

  @Test
  void withHandshakeOnAcceptOffASilentClientDoesNotHoldUpAccept() throws Exception {
    Map<String, String> settings = bothSides();
    settings.put("handshake-on-accept", "false");
    try (ChainRuntime runtime = runtime(settings);
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = listen(session)) {
      InetSocketAddress at = (InetSocketAddress) listener.localAddress();
      try (Socket silent = new Socket(at.getAddress(), at.getPort());
          ChainSocket first = listener.accept()) {
        // accept returned although the client never said a word; the next client is served at once
        Future<String> served =
            pool.submit(
                () -> {
                  try (ChainSocket peer = listener.accept()) {
                    ByteBuffer got = ByteBuffer.allocate(5);
                    assertTrue(
                        peer.receiveFully(
                            got)); // the server handshake runs here, in the serving thread
                    return new String(got.array(), StandardCharsets.US_ASCII);
                  }
                });
        try (ChainSocket client = session.open()) {
          client.connect(at);
          client.sendFully(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
          assertEquals("hello", served.get(10, TimeUnit.SECONDS));
        }
        assertTrue(first.isOpen());
        assertTrue(silent.isConnected());
      }
    }
  }

  @Test
  void aServerWithoutKeyMaterialRefusesToListen() throws Exception {
    try (ChainRuntime runtime = runtime(Map.of("trust", ca.cert().toString()));
        Session session = runtime.startup("tls-tcp4");
        ChainSocket socket = session.open()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> socket.listen(1));
      assertEquals(
          "tls (entry 2001 'tls') cannot accept connections without key material (expected: settings key "
              + "and cert, or keystore)",
          e.getMessage());
    }
  }

  @Test
  void aClientHandshakeFailureNamesThePeerTheEntryAndTheCause() throws Exception {
    // The server presents a certificate the client does not trust: the client's own CA differs.
    OpenSsl.Issued otherCa = openssl.ca("other-ca");
    Map<String, String> clientSettings = Map.of("trust", otherCa.cert().toString());
    try (ChainRuntime serverRuntime = runtime(bothSides());
        Session serverSession = serverRuntime.startup("tls-tcp4");
        ChainSocket listener = listen(serverSession);
        ChainRuntime clientRuntime = runtime(clientSettings);
        Session clientSession = clientRuntime.startup("tls-tcp4");
        ChainSocket client = clientSession.open()) {
      Future<Object> serverSide =
          pool.submit(
              () -> {
                try (ChainSocket peer = listener.accept()) {
                  return assertThrows(
                      SSLHandshakeException.class, () -> peer.receive(ByteBuffer.allocate(1)));
                }
              });
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      SSLHandshakeException e =
          assertThrows(SSLHandshakeException.class, () -> client.connect(listener.localAddress()));
      assertEquals(
          "tls handshake with 127.0.0.1:"
              + port
              + " failed (entry 2001 'tls'): PKIX path building failed: "
              + "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to "
              + "requested target",
          withoutAlertTag(e.getMessage()));
      SSLHandshakeException atServer = (SSLHandshakeException) serverSide.get(10, TimeUnit.SECONDS);
      // The JDK's client alerts certificate_unknown up to 21 and bad_certificate from 25 on.
      assertTrue(
          atServer
              .getMessage()
              .matches(
                  "tls handshake with 127\\.0\\.0\\.1:\\d+ failed \\(entry 2001 'tls'\\): the peer"
                      + " rejected our certificate \\(alert: (certificate_unknown|bad_certificate)\\)"),
          atServer.getMessage());
      SSLException later =
          assertThrows(SSLException.class, () -> client.send(ByteBuffer.allocate(1)));
      assertEquals(e.getMessage(), later.getMessage());
    }
  }

  /* ---- settings ---- */

  @Test
  void settingsThatCannotWorkFailTheLoadNamingTheSettingAndTheEntry() throws Exception {
    Path pkcs1 = dir.resolve("pkcs1.pem");
    Files.writeString(
        pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    Path encrypted = dir.resolve("encrypted.pem");
    Files.writeString(
        encrypted,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    Path notPem = dir.resolve("not-pem.txt");
    Files.writeString(notPem, "hello\n");
    Path badBase64 = dir.resolve("bad-base64.pem");
    Files.writeString(badBase64, "-----BEGIN CERTIFICATE-----\nA*A=\n-----END CERTIFICATE-----\n");
    OpenSsl.Issued stranger = openssl.leaf("stranger", ca, "ec");
    Path missing = dir.resolve("missing.pem");
    String cert = dir.resolve("server-chain.pem").toString();
    String prefix = "provider 'tls' (entry 2001) failed to load: ";
    Map<Map<String, String>, String> cases = new java.util.LinkedHashMap<>();
    cases.put(
        Map.of("trust", missing.toString()),
        "java.io.IOException: setting 'trust' of entry 2001 'tls' (layer): "
            + missing
            + ": no such file");
    cases.put(
        Map.of("trust", notPem.toString()),
        "java.io.IOException: setting 'trust' of entry 2001 'tls' (layer): "
            + notPem
            + ": holds no certificate (expected: -----BEGIN CERTIFICATE----- blocks)");
    cases.put(
        Map.of("trust", badBase64.toString()),
        "java.io.IOException: setting 'trust' of entry 2001 'tls' (layer): "
            + badBase64
            + ": CERTIFICATE block 1 is not valid Base64 (Illegal base64 character 2a)");
    cases.put(
        Map.of("key", server.key().toString()),
        "java.lang.IllegalArgumentException: setting 'key' of entry 2001 'tls' (layer) needs 'cert' too");
    cases.put(
        Map.of("key", server.key().toString(), "cert", cert, "keystore", "x.p12"),
        "java.lang.IllegalArgumentException: settings 'key' and 'cert' of entry 2001 'tls' (layer) cannot be combined "
            + "with 'keystore' (expected: key and cert, or keystore)");
    cases.put(
        Map.of("key", stranger.key().toString(), "cert", cert),
        "java.io.IOException: settings 'key' and 'cert' of entry 2001 'tls' (layer) do not match: the key in "
            + stranger.key()
            + " does not belong to the first certificate in "
            + cert
            + " (CN=localhost)");
    cases.put(
        Map.of("key", pkcs1.toString(), "cert", cert),
        "java.io.IOException: setting 'key' of entry 2001 'tls' "
            + "(layer): "
            + pkcs1
            + ": the key is a RSA PRIVATE KEY block in the traditional format, which is not "
            + "supported (expected: PKCS#8 -----BEGIN PRIVATE KEY-----, from: openssl pkcs8 -topk8 -nocrypt -in KEY -out "
            + "PKCS8)");
    cases.put(
        Map.of("key", encrypted.toString(), "cert", cert),
        "java.io.IOException: setting 'key' of entry 2001 "
            + "'tls' (layer): "
            + encrypted
            + ": the key is encrypted, which is not supported (expected: an unencrypted "
            + "PKCS#8 key, from: openssl pkcs8 -in KEY -out PLAIN; or a PKCS#12 keystore with keystore-password)");
    cases.put(
        Map.of("protocols", "TLSv1.3, TLSv1.9"),
        "java.lang.IllegalArgumentException: setting 'protocols' of "
            + "entry 2001 'tls' (layer) = 'TLSv1.3, TLSv1.9' names what this JDK does not support: TLSv1.9 (supported: "
            + String.join(", ", SSLContext.getDefault().getSupportedSSLParameters().getProtocols())
            + ")");
    cases.put(
        Map.of("protocols", "TLSv1.2,TLSv1"),
        "java.lang.IllegalArgumentException: setting 'protocols' of entry 2001 'tls' (layer) = "
            + "'TLSv1.2,TLSv1' names protocols this JDK supports but has disabled "
            + "(jdk.tls.disabledAlgorithms): TLSv1 (enabled: "
            + String.join(", ", SSLContext.getDefault().getDefaultSSLParameters().getProtocols())
            + ")");
    cases.put(
        Map.of("server-name", "bad name"),
        "java.lang.IllegalArgumentException: setting 'server-name' of entry "
            + "2001 'tls' (layer) = 'bad name' is not a host name (Contains non-LDH ASCII characters)");
    cases.put(
        Map.of("handshake-timeout", "soon"),
        "java.lang.IllegalArgumentException: setting 'handshake-timeout' "
            + "of entry 2001 'tls' (layer) = 'soon' is not a duration (expected: a whole number and a unit: 250ms, 30s, 2m or 1h; or 0)");
    for (Map.Entry<Map<String, String>, String> c : cases.entrySet()) {
      try (ChainRuntime runtime = runtime(c.getKey())) {
        ProtochainException e =
            assertThrows(
                ProtochainException.class,
                () -> runtime.startup("tls-tcp4"),
                c.getKey().toString());
        assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
        assertEquals(prefix + c.getValue(), e.getMessage(), c.getKey().toString());
        assertTrue(
            runtime.counts().values().stream().allMatch(n -> n == 0), runtime.counts().toString());
      }
    }
  }

  /**
   * Every file the layer reads (trust, cert, key, keystore) is read up to a bound, and only when it
   * is a regular file: {@code /dev/zero} once ran the JVM out of memory ("Requested array size
   * exceeds VM limit"), and a FIFO blocks whoever opens it until a writer comes.
   */
  @Test
  void filesPastTheBoundOrNotRegularAreRefusedInBoundedTimeAndMemory() throws Exception {
    Path big = dir.resolve("big.pem");
    byte[] filler = new byte[MIB + 1];
    java.util.Arrays.fill(filler, (byte) 'x');
    Files.write(big, filler);
    Path fifo = dir.resolve("fifo.pem");
    ExternalProcess.run(dir, List.of("mkfifo", fifo.toString()));
    Path zero = Path.of("/dev/zero");
    String cert = dir.resolve("server-chain.pem").toString();
    String key = server.key().toString();
    String expected = " (expected: a regular file of at most 1 MiB)";
    Map<Map<String, String>, String> cases = new java.util.LinkedHashMap<>();
    cases.put(Map.of("trust", zero.toString()), "trust' of entry 2001 'tls' (layer): " + zero);
    cases.put(Map.of("trust", big.toString()), "trust' of entry 2001 'tls' (layer): " + big);
    cases.put(Map.of("trust", fifo.toString()), "trust' of entry 2001 'tls' (layer): " + fifo);
    cases.put(Map.of("trust", dir.toString()), "trust' of entry 2001 'tls' (layer): " + dir);
    cases.put(
        Map.of("cert", zero.toString(), "key", key), "cert' of entry 2001 'tls' (layer): " + zero);
    cases.put(
        Map.of("cert", cert, "key", big.toString()), "key' of entry 2001 'tls' (layer): " + big);
    cases.put(
        Map.of("keystore", zero.toString()), "keystore' of entry 2001 'tls' (layer): " + zero);
    cases.put(
        Map.of("keystore", fifo.toString()), "keystore' of entry 2001 'tls' (layer): " + fifo);
    Map<Path, String> why =
        Map.of(
            zero, ": is not a regular file",
            fifo, ": is not a regular file",
            dir, ": is a directory",
            big, ": holds more than 1 MiB, the most tls reads from a file");
    for (Map.Entry<Map<String, String>, String> c : cases.entrySet()) {
      Path file =
          Path.of(
              c.getKey().entrySet().stream()
                  .filter(e -> c.getValue().startsWith(e.getKey() + "'"))
                  .findFirst()
                  .orElseThrow()
                  .getValue());
      long allocated =
          Bounded.call(
              Duration.ofSeconds(5),
              "loading tls with " + c.getKey(),
              () -> {
                long before = Peer.allocated();
                try (ChainRuntime runtime = runtime(c.getKey())) {
                  ProtochainException e =
                      assertThrows(ProtochainException.class, () -> runtime.startup("tls-tcp4"));
                  assertEquals(
                      "provider 'tls' (entry 2001) failed to load: java.io.IOException: setting '"
                          + c.getValue()
                          + why.get(file)
                          + expected,
                      e.getMessage());
                }
                return Peer.allocated() - before;
              });
      assertTrue(allocated < 64 * MIB, c.getKey() + ": allocated " + allocated + " bytes");
    }
  }

  /**
   * Cipher suites the JDK lists as supported but cannot use with the protocols: a TLS 1.2 suite
   * cannot serve TLS 1.3 alone, and the renegotiation signalling value is no suite at all (though
   * it may go with suites). Once these passed the load and failed the first connection.
   */
  @Test
  void cipherSuitesTheJdkCannotUseFailTheLoad() throws Exception {
    String scsv = "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    String tls12 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    String prefix =
        "provider 'tls' (entry 2001) failed to load: java.lang.IllegalArgumentException: setting "
            + "'cipher-suites' of entry 2001 'tls' (layer) = '";
    Map<Map<String, String>, String> cases = new java.util.LinkedHashMap<>();
    cases.put(
        Map.of("cipher-suites", scsv),
        scsv
            + "' names cipher suites this JDK cannot use with protocols "
            + String.join(", ", SSLContext.getDefault().getDefaultSSLParameters().getProtocols())
            + " (disabled by jdk.tls.disabledAlgorithms, or of another protocol version): "
            + scsv
            + " (usable: ");
    cases.put(
        Map.of("cipher-suites", tls12, "protocols", "TLSv1.3"),
        tls12
            + "' names cipher suites this JDK cannot use with protocols TLSv1.3 (disabled by "
            + "jdk.tls.disabledAlgorithms, or of another protocol version): "
            + tls12
            + " (usable: ");
    Map<String, String> fine = new HashMap<>(bothSides());
    fine.put("cipher-suites", "TLS_AES_128_GCM_SHA256, " + scsv);
    try (ChainRuntime runtime = runtime(fine);
        Session session = runtime.startup("tls-tcp4")) {
      assertEquals(Map.of(1001, 1, 2001, 1), runtime.counts(), "a suite with the SCSV loads");
    }
    for (Map.Entry<Map<String, String>, String> c : cases.entrySet()) {
      try (ChainRuntime runtime = runtime(c.getKey())) {
        ProtochainException e =
            assertThrows(ProtochainException.class, () -> runtime.startup("tls-tcp4"));
        String message = e.getMessage();
        assertTrue(message.startsWith(prefix + c.getValue()), message);
        assertTrue(message.endsWith(")"), message);
        List<String> usable =
            List.of(
                message
                    .substring((prefix + c.getValue()).length(), message.length() - 1)
                    .split(", "));
        assertTrue(usable.contains("TLS_AES_128_GCM_SHA256"), message);
        assertFalse(usable.contains(scsv), message);
        assertEquals(c.getKey().containsKey("protocols"), !usable.contains(tls12), message);
      }
    }
  }

  @Test
  void aTlsChainOverADatagramBaseIsRefusedAtStartup() throws Exception {
    ProviderDescriptor tls = ProviderDescriptor.of(TlsLayer.class);
    Catalog catalog = Catalog.builtin().installLayer("tls", tls.id(), Map.of(), List.of(1003));
    try (ChainRuntime runtime =
        ChainRuntime.builder().catalog(catalog).shutdownHook(false).build()) {
      ProtochainException e =
          assertThrows(ProtochainException.class, () -> runtime.startup("tls-udp4"));
      assertEquals(
          "entry 3001 'tls-udp4' (chain [2001, 1003]): layer 'tls' requires GUARANTEED_DELIVERY, "
              + "GUARANTEED_ORDER below it, and its base 1003 'udp4' provides CONNECTIONLESS, MESSAGE_ORIENTED, "
              + "SUPPORT_BROADCAST.",
          e.getMessage());
    }
  }

  /* ---- helpers ---- */

  /** Checks that no final cleanup reported undelivered bytes and no lifecycle step failed. */
  void assertNothingUndeliveredOrFailed() {
    assertTrue(
        events.stream()
            .noneMatch(
                e ->
                    e.type() == LifecycleEvent.Type.UNDELIVERED
                        || e.type() == LifecycleEvent.Type.FAILURE),
        events.toString());
  }

  static ChainSocket listen(Session session) throws IOException {
    ChainSocket listener = session.open();
    listener.bind(new InetSocketAddress("127.0.0.1", 0));
    listener.listen(4);
    return listener;
  }

  static SSLContext jsseTrustingCa() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(ca.cert())) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  /**
   * The handshake message with the JDK's alert tag taken out: newer JDK 17 updates put the alert
   * they send or received before the cause ({@code "(certificate_unknown) PKIX path…"}), older ones
   * do not. Our own part of the message is the same on both, and is what the tests pin.
   */
  static String withoutAlertTag(String message) {
    return message.replaceFirst("\\): \\([a-z_]+\\) ", "): ");
  }
}
