package dev.protochain.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.socks5.Socks5Layer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The in-memory SOCKS5 server the socks5 layer's contract runs over mem-stream: the layer connects
 * through it to an address and to a name, a half-close crosses it both ways, names reach it as
 * names (one only it can resolve, too), and a refused target and an unacceptable greeting get the
 * replies RFC 1928 gives them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChainSocksServerTest {

  static final int PROXY_PORT = 1080;

  static ChainRuntime runtime() throws IOException {
    return runtime(Map.of());
  }

  static ChainRuntime runtime(Map<String, String> extra) throws IOException {
    ProviderDescriptor socks5 = ProviderDescriptor.of(Socks5Layer.class);
    Map<String, String> settings = new HashMap<>(extra);
    settings.put("proxy", "127.0.0.1:" + PROXY_PORT);
    Catalog catalog =
        Catalog.builtin()
            .installLayer("socks5", socks5.id(), settings, List.of(1005))
            .checkValid("test catalog");
    return ChainRuntime.builder()
        .name("chain-socks-test")
        .catalog(catalog)
        .shutdownHook(false)
        .build();
  }

  static ChainSocksServer proxy(ChainRuntime runtime) throws IOException {
    return ChainSocksServer.start(
        runtime, "mem-stream", new InetSocketAddress(InetAddress.getLoopbackAddress(), PROXY_PORT));
  }

  @Test
  void theLayerReachesATargetByAddressAndByNameAndAHalfCloseCrossesBothWays() throws Exception {
    try (ChainRuntime runtime = runtime();
        ChainSocksServer proxy = proxy(runtime);
        Session bare = runtime.startup("mem-stream");
        Session layered = runtime.startup("socks5-mem-stream");
        ChainSocket listener = bare.open()) {
      listener.bind(null);
      listener.listen(4);
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      for (InetSocketAddress target :
          List.of(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
              InetSocketAddress.createUnresolved("localhost", port))) {
        try (ChainSocket client = layered.open()) {
          client.connect(target);
          assertEquals(target, client.remoteAddress());
          try (ChainSocket server = listener.accept()) {
            client.sendFully(ascii("ping"));
            client.shutdownOutput();
            assertEquals(
                "ping",
                new String(readAll(server), StandardCharsets.US_ASCII),
                "to the target, then its end");
            server.sendFully(ascii("pong"));
            server.shutdownOutput();
            assertEquals(
                "pong",
                new String(readAll(client), StandardCharsets.US_ASCII),
                "back after the half-close");
          }
        }
      }
      assertEquals(2, proxy.served());
      assertEquals(List.of(), proxy.failures());
    }
  }

  @Test
  void namesReachTheProxyAsNamesSoOneOnlyItCanResolveConnects() throws Exception {
    String proxyOnly = "db.proxy-only.invalid"; // .invalid: no resolver but the proxy's knows it
    assertThrows(UnknownHostException.class, () -> InetAddress.getByName(proxyOnly));
    try (ChainRuntime runtime = runtime();
        ChainSocksServer proxy =
            ChainSocksServer.start(
                runtime,
                "mem-stream",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), PROXY_PORT),
                Map.of(proxyOnly, InetAddress.getLoopbackAddress()));
        Session bare = runtime.startup("mem-stream");
        Session layered = runtime.startup("socks5-mem-stream");
        ChainSocket listener = bare.open()) {
      listener.bind(null);
      listener.listen(4);
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      for (InetSocketAddress target :
          List.of(
              new InetSocketAddress(proxyOnly, port), // the local lookup fails: unresolved
              new InetSocketAddress("localhost", port))) { // resolved here, still sent as a name
        try (ChainSocket client = layered.open()) {
          client.connect(target);
          try (ChainSocket server = listener.accept()) {
            client.sendFully(ascii("ping"));
            client.shutdownOutput();
            assertEquals("ping", new String(readAll(server), StandardCharsets.US_ASCII));
          }
        }
      }
      assertEquals(
          List.of("domain " + proxyOnly + ":" + port, "domain localhost:" + port),
          proxy.requests());
      assertEquals(List.of(), proxy.failures());
    }
  }

  @Test
  void withResolveLocalTheProxyIsSentAddresses() throws Exception {
    try (ChainRuntime runtime = runtime(Map.of("resolve", "local"));
        ChainSocksServer proxy = proxy(runtime);
        Session bare = runtime.startup("mem-stream");
        Session layered = runtime.startup("socks5-mem-stream");
        ChainSocket listener = bare.open();
        ChainSocket client = layered.open()) {
      listener.bind(null);
      listener.listen(4);
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      client.connect(InetSocketAddress.createUnresolved("localhost", port));
      listener.accept().close();
      assertEquals(List.of("ipv4 127.0.0.1:" + port), proxy.requests());
      assertEquals(List.of(), proxy.failures());
    }
  }

  @Test
  void aRefusedTargetIsReplyCode5() throws Exception {
    try (ChainRuntime runtime = runtime();
        ChainSocksServer proxy = proxy(runtime);
        Session layered = runtime.startup("socks5-mem-stream");
        ChainSocket client = layered.open()) {
      ConnectException e =
          assertThrows(
              ConnectException.class,
              () -> client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 4999)));
      assertEquals(
          // The loopback address carries the name localhost, and names go to the proxy as names.
          "socks5 proxy 127.0.0.1:1080 refused CONNECT to localhost:4999: 0x05 connection refused",
          e.getMessage());
      assertEquals(List.of(), proxy.failures());
    }
  }

  @Test
  void aGreetingWithoutNoAuthenticationIsAnsweredWithNoAcceptableMethod() throws Exception {
    try (ChainRuntime runtime = runtime();
        ChainSocksServer proxy = proxy(runtime);
        Session bare = runtime.startup("mem-stream");
        ChainSocket client = bare.open()) {
      client.connect(proxy.address());
      client.sendFully(ByteBuffer.wrap(new byte[] {5, 1, 2})); // username/password only
      assertArrayEquals(new byte[] {5, (byte) 0xFF}, readAll(client), "then the server closes");
      assertEquals(List.of(), proxy.failures());
    }
  }

  static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] readAll(ChainSocket s) throws IOException {
    ByteBuffer all = ByteBuffer.allocate(64);
    while (s.receive(all) >= 0) {
      assertTrue(all.hasRemaining(), "more than 64 bytes");
    }
    byte[] out = new byte[all.position()];
    all.flip().get(out);
    return out;
  }
}
