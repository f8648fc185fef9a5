package dev.protochain.layers.socks5;

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
import dev.protochain.runtime.testing.FakeSocksProxy;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code socks5} layer against a scripted proxy: the exact bytes of the greeting, the
 * authentication and the request for each kind of target; every reply code; malformed replies;
 * timeouts; the operations a socks5 socket refuses; settings refused at load.
 */
@Timeout(30)
class Socks5ChainTest {

  static final InetSocketAddress EXAMPLE = InetSocketAddress.createUnresolved("example.org", 80);

  static ChainRuntime runtime(Map<String, String> settings) throws IOException {
    ProviderDescriptor socks5 = ProviderDescriptor.of(Socks5Layer.class);
    Catalog catalog =
        Catalog.builtin()
            .installLayer("socks5", socks5.id(), settings, List.of(1001, 1002))
            .checkValid("test catalog");
    return ChainRuntime.builder().name("socks5-test").catalog(catalog).shutdownHook(false).build();
  }

  static Map<String, String> via(FakeSocksProxy proxy) {
    return new HashMap<>(Map.of("proxy", "127.0.0.1:" + proxy.port()));
  }

  /** Answers the greeting with "no authentication" and the request with success, then echoes. */
  static void acceptAndEcho(FakeSocksProxy.Conversation c) throws IOException {
    c.read(3);
    c.write(5, 0);
    c.readRequest();
    c.write(5, 0, 0, 1, 10, 9, 8, 7, 0x04, 0x38);
    c.echo();
  }

  /* ---- the request ---- */

  static Stream<Arguments> targets() throws IOException {
    byte[] domain =
        new byte[] {
          5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g', 0x1f, (byte) 0x90
        };
    byte[] v6 = new byte[22];
    ByteBuffer.wrap(v6)
        .put(new byte[] {5, 1, 0, 4})
        .put(InetAddress.getByName("2001:db8::1").getAddress())
        .putShort((short) 443);
    return Stream.of(
        Arguments.of(
            "an IPv4 address",
            new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 80),
            new byte[] {5, 1, 0, 1, 10, 1, 2, 3, 0, 80}),
        Arguments.of(
            "an IPv6 address",
            new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 443),
            v6),
        Arguments.of(
            "an unresolved name", InetSocketAddress.createUnresolved("example.org", 8080), domain),
        Arguments.of(
            "a name resolved here, still sent as the name",
            new InetSocketAddress("localhost", 8080),
            new byte[] {
              5, 1, 0, 3, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't', 0x1f, (byte) 0x90
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void connectAsksTheProxyForTheTargetAsGivenAndThenCarriesItsStream(
      String kind, InetSocketAddress target, byte[] request) throws Exception {
    try (FakeSocksProxy proxy = FakeSocksProxy.start(Socks5ChainTest::acceptAndEcho);
        ChainRuntime runtime = runtime(via(proxy));
        Session session = runtime.startup("socks5-tcp4");
        ChainSocket socket = session.open()) {
      socket.connect(target);
      assertEquals(target, socket.remoteAddress());
      socket.sendFully(ByteBuffer.wrap("through".getBytes(StandardCharsets.US_ASCII)));
      socket.shutdownOutput();
      ByteBuffer back = ByteBuffer.allocate(7);
      assertTrue(socket.receiveFully(back));
      assertEquals("through", new String(back.array(), StandardCharsets.US_ASCII));
      assertEquals(-1, socket.receive(ByteBuffer.allocate(1)));
      List<byte[]> received = proxy.received();
      assertArrayEquals(
          new byte[] {5, 1, 0},
          received.get(0),
          "greeting: version 5, one method, no authentication");
      assertArrayEquals(request, received.get(1));
      assertTrue(proxy.failures().isEmpty(), proxy.failures().toString());
    }
  }

  @Test
  void theReplyIsReadExactlySoTheTargetsFirstBytesArrive() throws Exception {
    // The success reply names a bound host by domain, and the target's bytes follow in the same
    // segment.
    try (FakeSocksProxy proxy =
            FakeSocksProxy.start(
                c -> {
                  c.read(3);
                  c.write(5, 0);
                  c.readRequest();
                  byte[] reply = {
                    5, 0, 0, 3, 9, 'p', 'r', 'o', 'x', 'y', '.', 'l', 'a', 'n', 0x04, 0x38, 't',
                    'a', 'r', 'g', 'e', 't'
                  };
                  c.write(reply);
                  c.awaitEnd();
                });
        ChainRuntime runtime = runtime(via(proxy));
        Session session = runtime.startup("socks5-tcp4");
        ChainSocket socket = session.open()) {
      socket.connect(EXAMPLE);
      ByteBuffer got = ByteBuffer.allocate(6);
      assertTrue(socket.receiveFully(got));
      assertEquals("target", new String(got.array(), StandardCharsets.US_ASCII));
    }
  }

  @Test
  void anIpv6ProxyIsReachedOverTcp6() throws Exception {
    try (FakeSocksProxy proxy =
            FakeSocksProxy.start(InetAddress.getByName("::1"), Socks5ChainTest::acceptAndEcho);
        ChainRuntime runtime = runtime(Map.of("proxy", "[::1]:" + proxy.port()));
        Session session = runtime.startup("socks5-tcp6");
        ChainSocket socket = session.open()) {
      socket.connect(EXAMPLE);
      socket.sendFully(ByteBuffer.wrap(new byte[] {42}));
      ByteBuffer got = ByteBuffer.allocate(1);
      assertTrue(socket.receiveFully(got));
      assertEquals(42, got.get(0));
      assertEquals(
          "Socks5Socket[via [::1]:" + proxy.port() + " to example.org:80] -> ",
          socket
              .toString()
              .substring(
                  socket.toString().indexOf("Socks5Socket"),
                  socket.toString().indexOf("TcpSocket")));
    }
  }

  /* ---- authentication ---- */

  @Test
  void usernameAndPasswordAreSentWhenTheProxyChoosesThem() throws Exception {
    try (FakeSocksProxy proxy =
        FakeSocksProxy.start(
            c -> {
              c.read(4);
              c.write(5, 2);
              c.read(1 + 1 + 5 + 1 + 6);
              c.write(1, 0);
              c.readRequest();
              c.write(5, 0, 0, 1, 0, 0, 0, 0, 0, 0);
              c.echo();
            })) {
      Map<String, String> settings = via(proxy);
      settings.put("username", "alice");
      settings.put("password", "s3cret");
      try (ChainRuntime runtime = runtime(settings);
          Session session = runtime.startup("socks5-tcp4");
          ChainSocket socket = session.open()) {
        socket.connect(EXAMPLE);
        socket.sendFully(ByteBuffer.wrap(new byte[] {7}));
        assertTrue(socket.receiveFully(ByteBuffer.allocate(1)));
      }
      List<byte[]> received = proxy.received();
      assertArrayEquals(new byte[] {5, 2, 0, 2}, received.get(0), "both methods offered");
      assertArrayEquals(
          new byte[] {1, 5, 'a', 'l', 'i', 'c', 'e', 6, 's', '3', 'c', 'r', 'e', 't'},
          received.get(1));
      assertTrue(proxy.failures().isEmpty(), proxy.failures().toString());
    }
  }

  /* ---- failures ---- */

  static final Map<Integer, String> MEANINGS =
      Map.of(
          1,
          "general SOCKS server failure",
          2,
          "connection not allowed by ruleset",
          3,
          "network unreachable",
          4,
          "host unreachable",
          5,
          "connection refused",
          6,
          "TTL expired",
          7,
          "command not supported",
          8,
          "address type not supported",
          9,
          "unassigned reply code",
          0xff,
          "unassigned reply code");

  @ParameterizedTest(name = "reply {0}")
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff})
  void everyReplyCodeFailsTheConnectNamingTheCodeAndItsMeaning(int code) throws Exception {
    try (FakeSocksProxy proxy =
            FakeSocksProxy.start(
                c -> {
                  c.read(3);
                  c.write(5, 0);
                  c.readRequest();
                  c.write(5, code, 0, 1, 0, 0, 0, 0, 0, 0);
                  c.awaitEnd();
                });
        ChainRuntime runtime = runtime(via(proxy));
        Session session = runtime.startup("socks5-tcp4");
        ChainSocket socket = session.open()) {
      ConnectException e = assertThrows(ConnectException.class, () -> socket.connect(EXAMPLE));
      assertEquals(
          "socks5 proxy 127.0.0.1:"
              + proxy.port()
              + " refused CONNECT to example.org:80: "
              + String.format("0x%02x", code)
              + " "
              + MEANINGS.get(code),
          e.getMessage());
      assertFalse(socket.isOpen(), "a failed connect closes the socket");
    }
  }

  interface Reply {
    void write(FakeSocksProxy.Conversation c) throws IOException;
  }

  static Stream<Arguments> malformed() {
    String p = "socks5 proxy 127.0.0.1:%d ";
    return Stream.of(
        Arguments.of(
            "greeting version 4",
            (Reply) c -> c.write(4, 0),
            ProtocolException.class,
            p + "sent a malformed reply to the greeting: version 0x04 (expected: 0x05)"),
        Arguments.of(
            "a method not offered",
            (Reply) c -> c.write(5, 2),
            ProtocolException.class,
            p
                + "sent a malformed reply to the greeting: method 0x02 was not offered (offered: 0x00 no authentication)"),
        Arguments.of(
            "no acceptable method",
            (Reply) c -> c.write(5, 0xff),
            ConnectException.class,
            p
                + "accepts none of the offered authentication methods (0x00 no authentication); set username and "
                + "password if it requires them"),
        Arguments.of(
            "closed before the greeting's answer",
            (Reply) FakeSocksProxy.Conversation::close,
            EOFException.class,
            p + "closed the connection during the greeting (after 0 of 2 bytes)"),
        Arguments.of(
            "reply version 4",
            (Reply)
                c -> {
                  c.write(5, 0);
                  c.readRequest();
                  c.write(4, 0, 0, 1, 0, 0, 0, 0, 0, 0);
                },
            ProtocolException.class,
            p
                + "sent a malformed reply to CONNECT to example.org:80: version 0x04 (expected: "
                + "0x05)"),
        Arguments.of(
            "unknown address type",
            (Reply)
                c -> {
                  c.write(5, 0);
                  c.readRequest();
                  c.write(5, 0, 0, 7, 0, 0, 0, 0, 0, 0);
                },
            ProtocolException.class,
            p
                + "sent a malformed reply to CONNECT to example.org:80: address type 0x07 "
                + "(expected: 0x01, 0x03 or 0x04)"),
        Arguments.of(
            "closed in the middle of the reply",
            (Reply)
                c -> {
                  c.write(5, 0);
                  c.readRequest();
                  c.write(5, 0, 0);
                  c.close();
                },
            EOFException.class,
            p + "closed the connection during CONNECT to example.org:80 (after 1 of 2 bytes)"),
        Arguments.of(
            "closed in the middle of the bound address",
            (Reply)
                c -> {
                  c.write(5, 0);
                  c.readRequest();
                  c.write(5, 0, 0, 4, 0, 0, 0, 0, 0, 0);
                  c.close();
                },
            EOFException.class,
            p + "closed the connection during CONNECT to example.org:80 (after 6 of 18 bytes)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void aReplyThatBreaksTheProtocolIsAClearError(
      String name, Reply reply, Class<? extends IOException> type, String message)
      throws Exception {
    try (FakeSocksProxy proxy =
            FakeSocksProxy.start(
                c -> {
                  c.read(3);
                  reply.write(c);
                  c.awaitEnd();
                });
        ChainRuntime runtime = runtime(via(proxy));
        Session session = runtime.startup("socks5-tcp4");
        ChainSocket socket = session.open()) {
      IOException e = assertThrows(type, () -> socket.connect(EXAMPLE));
      assertEquals(String.format(message, proxy.port()), e.getMessage());
      assertFalse(socket.isOpen());
    }
  }

  @Test
  void credentialsTheProxyRefusesAreAClearError() throws Exception {
    try (FakeSocksProxy proxy =
        FakeSocksProxy.start(
            c -> {
              c.read(4);
              c.write(5, 2);
              c.read(1 + 1 + 5 + 1 + 5);
              c.write(1, 1);
              c.awaitEnd();
            })) {
      Map<String, String> settings = via(proxy);
      settings.put("username", "alice");
      settings.put("password", "wrong");
      try (ChainRuntime runtime = runtime(settings);
          Session session = runtime.startup("socks5-tcp4");
          ChainSocket socket = session.open()) {
        ConnectException e = assertThrows(ConnectException.class, () -> socket.connect(EXAMPLE));
        assertEquals(
            "socks5 proxy 127.0.0.1:"
                + proxy.port()
                + " refused the username and password of user 'alice': "
                + "status 0x01",
            e.getMessage());
      }
    }
  }

  @Test
  void aSilentProxyFailsTheConnectAfterTheHandshakeTimeout() throws Exception {
    try (FakeSocksProxy proxy = FakeSocksProxy.start(FakeSocksProxy.Conversation::awaitEnd)) {
      Map<String, String> settings = via(proxy);
      settings.put("handshake-timeout", "300ms");
      try (ChainRuntime runtime = runtime(settings);
          Session session = runtime.startup("socks5-tcp4");
          ChainSocket socket = session.open()) {
        long start = System.nanoTime();
        SocketTimeoutException e =
            assertThrows(SocketTimeoutException.class, () -> socket.connect(EXAMPLE));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(
            "socks5 proxy 127.0.0.1:" + proxy.port() + " did not answer the greeting within 300ms",
            e.getMessage());
        assertTrue(millis >= 250 && millis < 5_000, millis + " ms");
        assertFalse(socket.isOpen());
      }
    }
  }

  @Test
  void aProxyThatIsDownIsNamed() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = probe.getLocalPort();
    }
    try (ChainRuntime runtime = runtime(Map.of("proxy", "127.0.0.1:" + closedPort));
        Session session = runtime.startup("socks5-tcp4");
        ChainSocket socket = session.open()) {
      ConnectException e = assertThrows(ConnectException.class, () -> socket.connect(EXAMPLE));
      assertEquals(
          "socks5 proxy 127.0.0.1:"
              + closedPort
              + " (entry 2001 'socks5') is not reachable: Connection "
              + "refused: 127.0.0.1:"
              + closedPort
              + " (provider 'tcp' for entry 1001 'tcp4')",
          e.getMessage());
    }
  }

  @Test
  void withResolveLocalANameIsResolvedHereAndSentAsItsAddress() throws Exception {
    try (FakeSocksProxy proxy = FakeSocksProxy.start(Socks5ChainTest::acceptAndEcho)) {
      Map<String, String> settings = via(proxy);
      settings.put("resolve", "local");
      try (ChainRuntime runtime = runtime(settings);
          Session session = runtime.startup("socks5-tcp4");
          ChainSocket socket = session.open()) {
        InetSocketAddress target = InetSocketAddress.createUnresolved("localhost", 8080);
        socket.connect(target);
        assertEquals(target, socket.remoteAddress(), "the target as given");
        socket.shutdownOutput();
        assertEquals(-1, socket.receive(ByteBuffer.allocate(1)));
        assertArrayEquals(
            new byte[] {5, 1, 0, 1, 127, 0, 0, 1, 0x1f, (byte) 0x90}, proxy.received().get(1));
      }
    }
  }

  @Test
  void withResolveLocalANameThatDoesNotResolveFailsBeforeTheProxyIsContacted() throws Exception {
    try (FakeSocksProxy proxy = FakeSocksProxy.start(Socks5ChainTest::acceptAndEcho)) {
      Map<String, String> settings = via(proxy);
      settings.put("resolve", "local");
      try (ChainRuntime runtime = runtime(settings);
          Session session = runtime.startup("socks5-tcp4");
          ChainSocket socket = session.open()) {
        UnknownHostException e =
            assertThrows(
                UnknownHostException.class,
                () -> socket.connect(new InetSocketAddress("db.proxy-only.invalid", 80)));
        assertEquals(
            "socks5 (entry 2001 'socks5'): unknown host 'db.proxy-only.invalid' (setting 'resolve'"
                + " is local, so names are resolved here; set it to proxy to let the proxy resolve"
                + " them)",
            e.getMessage());
        assertTrue(proxy.received().isEmpty(), "nothing reached the proxy");
      }
    }
  }

  @Test
  void aHostNameLongerThanSocks5CarriesIsRefusedBeforeAnythingIsSent() throws Exception {
    try (FakeSocksProxy proxy = FakeSocksProxy.start(Socks5ChainTest::acceptAndEcho);
        ChainRuntime runtime = runtime(via(proxy));
        Session session = runtime.startup("socks5-tcp4");
        ChainSocket socket = session.open()) {
      String host =
          "a".repeat(63)
              + "."
              + "b".repeat(63)
              + "."
              + "c".repeat(63)
              + "."
              + "d".repeat(63)
              + ".example";
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> socket.connect(InetSocketAddress.createUnresolved(host, 80)));
      assertEquals(
          "connect through socks5: host name '"
              + host
              + "' is 263 bytes (expected: 1 to 255, as SOCKS5 "
              + "allows)",
          e.getMessage());
      assertTrue(proxy.received().isEmpty());
    }
  }

  @Test
  void bindListenAndAcceptAreRefused() throws Exception {
    String why =
        " is not supported by socks5 (entry 2001 'socks5'): a socks5 socket only connects through its proxy "
            + "(SOCKS BIND and UDP ASSOCIATE are not implemented)";
    try (ChainRuntime runtime = runtime(Map.of("proxy", "127.0.0.1:1080"));
        Session session = runtime.startup("socks5-tcp4");
        ChainSocket socket = session.open()) {
      assertEquals(
          "bind" + why,
          assertThrows(
                  UnsupportedOperationException.class,
                  () -> socket.bind(new InetSocketAddress("127.0.0.1", 0)))
              .getMessage());
      assertEquals(
          "listen" + why,
          assertThrows(UnsupportedOperationException.class, () -> socket.listen(1)).getMessage());
      assertEquals(
          "accept" + why,
          assertThrows(UnsupportedOperationException.class, socket::accept).getMessage());
    }
  }

  @Test
  void settingsThatCannotWorkFailTheLoad() throws Exception {
    String prefix =
        "provider 'socks5' (entry 2001) failed to load: java.lang.IllegalArgumentException: ";
    Map<Map<String, String>, String> cases = new java.util.LinkedHashMap<>();
    cases.put(Map.of(), "setting 'proxy' of entry 2001 'socks5' (layer) is required but not set");
    for (String bad :
        List.of(
            "::1:1080",
            "proxy.example",
            "proxy.example:0",
            "proxy.example:65536",
            "[::1]",
            ":1080")) {
      cases.put(
          Map.of("proxy", bad),
          "setting 'proxy' of entry 2001 'socks5' (layer) = '"
              + bad
              + "' is not "
              + "HOST:PORT with a port from 1 to 65535 (expected: e.g. 127.0.0.1:1080, proxy.example:1080 or [::1]:1080)");
    }
    cases.put(
        Map.of("proxy", "127.0.0.1:1080", "username", "alice"),
        "setting 'username' of entry 2001 'socks5' "
            + "(layer) needs 'password' too (RFC 1929 sends both, each 1 to 255 bytes)");
    cases.put(
        Map.of("proxy", "127.0.0.1:1080", "username", "é".repeat(128), "password", "x"),
        "setting 'username' of "
            + "entry 2001 'socks5' (layer) is 256 bytes of UTF-8 (expected: 1 to 255, as RFC 1929 allows)");
    cases.put(
        Map.of("proxy", "127.0.0.1:1080", "resolve", "dns"),
        "setting 'resolve' of entry 2001 'socks5' (layer) = 'dns' is not proxy or local (proxy: the"
            + " proxy resolves host names; local: they are resolved here)");
    for (Map.Entry<Map<String, String>, String> c : cases.entrySet()) {
      try (ChainRuntime runtime = runtime(c.getKey())) {
        ProtochainException e =
            assertThrows(
                ProtochainException.class,
                () -> runtime.startup("socks5-tcp4"),
                c.getKey().toString());
        assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
        assertEquals(prefix + c.getValue(), e.getMessage());
        assertTrue(
            runtime.counts().values().stream().allMatch(n -> n == 0), runtime.counts().toString());
      }
    }
    // An undeclared key is the catalog's rule, worded as catalog verify words it.
    try (ChainRuntime runtime = runtime(Map.of("proxy", "127.0.0.1:1080", "realm", "x"))) {
      ProtochainException e =
          assertThrows(ProtochainException.class, () -> runtime.startup("socks5-tcp4"));
      assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
      assertEquals(
          "provider 'socks5' (entry 2001) failed to load: entry 2001 'socks5' (layer) sets 'realm',"
              + " which provider 'socks5' does not accept (accepted: proxy, username, password,"
              + " handshake-timeout, resolve).",
          e.getMessage());
      assertTrue(
          runtime.counts().values().stream().allMatch(n -> n == 0), runtime.counts().toString());
    }
  }
}
