package dev.protochain.layers.socks5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.tls.TlsLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.testing.EchoServer;
import dev.protochain.runtime.testing.Microsocks;
import dev.protochain.runtime.testing.OpenSsl;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code socks5} layer against a real SOCKS5 server, Debian's {@code microsocks}, on 127.0.0.1:
 * a [socks5, tcp4] chain through it to a plain TCP echo server, for IPv4, IPv6 and name targets,
 * with and without username/password; the failures it reports; and TLS end to end through it, [tls,
 * socks5, tcp4] to {@code openssl s_server}.
 */
@Timeout(60)
class Socks5InteropTest {

  @TempDir Path dir;

  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  static ChainRuntime runtime(Map<String, String> socksSettings, Map<String, String> tlsSettings)
      throws IOException {
    Catalog catalog =
        Catalog.builtin()
            .installLayer(
                "socks5",
                ProviderDescriptor.of(Socks5Layer.class).id(),
                socksSettings,
                List.of(1001));
    catalog =
        catalog
            .installLayer(
                "tls",
                ProviderDescriptor.of(TlsLayer.class).id(),
                tlsSettings,
                List.of(catalog.entry("socks5-tcp4").orElseThrow().id()))
            .checkValid("test catalog");
    return ChainRuntime.builder()
        .name("socks5-interop")
        .catalog(catalog)
        .shutdownHook(false)
        .build();
  }

  static Map<String, String> via(Microsocks proxy) {
    return new HashMap<>(Map.of("proxy", proxy.proxy()));
  }

  /**
   * Echoes a mebibyte through microsocks. The name target is {@code localhost}, sent unresolved:
   * microsocks resolves it and connects to the first address its resolver gives, so the echo server
   * listens on 127.0.0.1 and ::1 with the same port.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ipv4", "ipv6", "name"})
  void aMebibyteCrossesMicrosocksBothWaysIntact(String kind) throws Exception {
    try (Microsocks proxy = Microsocks.start(dir);
        EchoServer echo =
            EchoServer.start(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));
        ChainRuntime runtime = runtime(via(proxy), Map.of());
        Session session = runtime.startup("socks5-tcp4");
        ChainSocket socket = session.open()) {
      InetSocketAddress target =
          switch (kind) {
            case "ipv4" -> new InetSocketAddress(InetAddress.getByName("127.0.0.1"), echo.port());
            case "ipv6" -> new InetSocketAddress(InetAddress.getByName("::1"), echo.port());
            default -> InetSocketAddress.createUnresolved("localhost", echo.port());
          };
      socket.connect(target);
      assertEquals(target, socket.remoteAddress());
      byte[] payload = new byte[1 << 20];
      new Random(5).nextBytes(payload);
      assertArrayEquals(payload, echo(socket, payload), proxy.output());
    }
  }

  /**
   * A target made with a name, which the JDK resolved here when it made the address, still reaches
   * microsocks as the name, which microsocks resolves and logs; with {@code resolve=local} an
   * unresolved name reaches it as the address resolved here.
   */
  @ParameterizedTest(name = "resolve={0}")
  @ValueSource(strings = {"proxy", "local"})
  void microsocksIsAskedForTheNameUnlessNamesResolveLocally(String resolve) throws Exception {
    try (Microsocks proxy = Microsocks.start(dir);
        EchoServer echo =
            EchoServer.start(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"))) {
      Map<String, String> settings = via(proxy);
      if (resolve.equals("local")) {
        settings.put("resolve", resolve); // proxy is the default
      }
      try (ChainRuntime runtime = runtime(settings, Map.of());
          Session session = runtime.startup("socks5-tcp4");
          ChainSocket socket = session.open()) {
        InetSocketAddress target =
            resolve.equals("proxy")
                ? new InetSocketAddress("localhost", echo.port())
                : InetSocketAddress.createUnresolved("localhost", echo.port());
        socket.connect(target);
        byte[] payload = "by name".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertArrayEquals(payload, echo(socket, payload), proxy.output());
        proxy.awaitLog(
            ": connected to "
                + (resolve.equals("proxy") ? "localhost" : "127.0.0.1")
                + ":"
                + echo.port()
                + "\n");
      }
    }
  }

  /**
   * Sends {@code payload} while receiving its echo. No half-close: microsocks ends the whole
   * connection when either side ends its output, dropping what is still in flight.
   */
  byte[] echo(ChainSocket socket, byte[] payload) throws Exception {
    Future<?> sending =
        pool.submit(
            () -> {
              socket.sendFully(ByteBuffer.wrap(payload));
              return null;
            });
    ByteBuffer back = ByteBuffer.allocate(payload.length);
    assertTrue(socket.receiveFully(back), "the stream ended after " + back.position() + " bytes");
    sending.get(30, TimeUnit.SECONDS);
    return back.array();
  }

  @Test
  void theRightUsernameAndPasswordAreAccepted() throws Exception {
    try (Microsocks proxy = Microsocks.start(dir, "alice", "s3cret");
        EchoServer echo = EchoServer.start()) {
      Map<String, String> settings = via(proxy);
      settings.put("username", "alice");
      settings.put("password", "s3cret");
      try (ChainRuntime runtime = runtime(settings, Map.of());
          Session session = runtime.startup("socks5-tcp4");
          ChainSocket socket = session.open()) {
        socket.connect(new InetSocketAddress("127.0.0.1", echo.port()));
        byte[] payload = "authenticated".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertArrayEquals(payload, echo(socket, payload));
      }
    }
  }

  @Test
  void aWrongPasswordIsRefusedClearly() throws Exception {
    try (Microsocks proxy = Microsocks.start(dir, "alice", "s3cret");
        EchoServer echo = EchoServer.start()) {
      Map<String, String> settings = via(proxy);
      settings.put("username", "alice");
      settings.put("password", "guess");
      try (ChainRuntime runtime = runtime(settings, Map.of());
          Session session = runtime.startup("socks5-tcp4");
          ChainSocket socket = session.open()) {
        ConnectException e =
            assertThrows(
                ConnectException.class,
                () -> socket.connect(new InetSocketAddress("127.0.0.1", echo.port())));
        assertEquals(
            "socks5 proxy "
                + proxy.proxy()
                + " refused the username and password of user 'alice': "
                + "status 0x02",
            e.getMessage());
        assertFalse(socket.isOpen());
      }
    }
  }

  @Test
  void noCredentialsForAProxyThatRequiresThemIsRefusedClearly() throws Exception {
    try (Microsocks proxy = Microsocks.start(dir, "alice", "s3cret");
        EchoServer echo = EchoServer.start();
        ChainRuntime runtime = runtime(via(proxy), Map.of());
        Session session = runtime.startup("socks5-tcp4");
        ChainSocket socket = session.open()) {
      ConnectException e =
          assertThrows(
              ConnectException.class,
              () -> socket.connect(new InetSocketAddress("127.0.0.1", echo.port())));
      assertEquals(
          "socks5 proxy "
              + proxy.proxy()
              + " accepts none of the offered authentication methods (0x00 no "
              + "authentication); set username and password if it requires them",
          e.getMessage());
    }
  }

  @Test
  void aConnectToAClosedPortFailsWithTheProxysReplyCode() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = probe.getLocalPort();
    }
    try (Microsocks proxy = Microsocks.start(dir);
        ChainRuntime runtime = runtime(via(proxy), Map.of());
        Session session = runtime.startup("socks5-tcp4");
        ChainSocket socket = session.open()) {
      ConnectException e =
          assertThrows(
              ConnectException.class,
              () -> socket.connect(new InetSocketAddress("127.0.0.1", closedPort)));
      assertEquals(
          "socks5 proxy "
              + proxy.proxy()
              + " refused CONNECT to 127.0.0.1:"
              + closedPort
              + ": 0x05 connection refused",
          e.getMessage());
    }
  }

  @Test
  void tlsRunsEndToEndThroughMicrosocks() throws Exception {
    OpenSsl openssl = OpenSsl.in(dir);
    OpenSsl.Issued ca = openssl.ca("ca");
    OpenSsl.Issued server = openssl.leaf("server", ca, "ec");
    try (Microsocks proxy = Microsocks.start(dir);
        OpenSsl.Server s = openssl.server(server);
        ChainRuntime runtime = runtime(via(proxy), Map.of("trust", ca.cert().toString()));
        Session session = runtime.startup("tls-socks5-tcp4")) {
      ChainSocket socket = session.open();
      // The TLS client checks the certificate against the target, not the proxy.
      socket.connect(new InetSocketAddress("127.0.0.1", s.port()));
      socket.sendFully(
          ByteBuffer.wrap(
              "through the proxy\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      s.process().awaitStdout("through the proxy\n", java.time.Duration.ofSeconds(15));
      socket.close();
      s.process()
          .awaitStderr("SSL3 alert read:warning:close notify", java.time.Duration.ofSeconds(15));
      assertEquals(0, s.process().exitStatus(java.time.Duration.ofSeconds(15)));
    }
  }
}
