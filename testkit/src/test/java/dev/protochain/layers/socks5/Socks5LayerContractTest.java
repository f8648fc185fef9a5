package dev.protochain.layers.socks5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.testing.ChainSocksServer;
import dev.protochain.runtime.testing.Microsocks;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import dev.protochain.testkit.Transport;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer contract for {@code socks5}, over tcp4 and mem-stream, each connection made through a
 * real SOCKS5 server to the kit's peer listening on the bare base: over tcp4 Debian's {@code
 * microsocks}, started once for the class on 127.0.0.1; over mem-stream a {@link ChainSocksServer}
 * the kit starts in each runtime's in-memory network ({@link #startPeerService}). One {@code proxy}
 * setting serves both chains, so the in-memory server takes microsocks' port number, which is free
 * there: the in-memory network is the runtime's own.
 *
 * <p>Three checks are adapted, each through a hook of the kit:
 *
 * <ul>
 *   <li>{@link #listens()} is false: a socks5 socket only connects; bind, listen and accept are
 *       refused by design (no SOCKS BIND), and the kit checks that they are;
 *   <li>{@link #halfCloses} is false over tcp4: microsocks does not relay a half-close. Its relay
 *       loop closes both connections as soon as either side ends its output, dropping what the
 *       other direction still carries, so the echo checks read every byte back before ending the
 *       output;
 *   <li>{@link #bytesInFlight} is 64 KiB over tcp4: microsocks relays a connection on one thread
 *       with blocking writes, and reads the client's side first whenever it has bytes, so a client
 *       that keeps sending starves the echo's way back until the echo server, unable to send, stops
 *       reading and the relay's write to it blocks for good (a 16 MiB echo stalls after about 14
 *       MiB with nothing come back). With at most 64 KiB unanswered, the client pauses and the echo
 *       flows.
 * </ul>
 *
 * The in-memory server relays each direction on its own thread and passes a half-close on, so
 * mem-stream keeps the kit's defaults.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Socks5LayerContractTest extends LayerContract {

  @TempDir static Path dir;
  Microsocks microsocks;

  @BeforeAll
  void startMicrosocks() throws Exception {
    microsocks = Microsocks.start(dir);
  }

  @AfterAll
  void stopMicrosocks() {
    microsocks.close();
  }

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return Socks5Layer.class;
  }

  @Override
  protected Map<String, String> settings() {
    return Map.of("proxy", microsocks.proxy());
  }

  @Override
  protected boolean listens() {
    return false;
  }

  @Override
  protected boolean halfCloses(Transport transport) {
    return transport != Transport.TCP4;
  }

  @Override
  protected int bytesInFlight(Transport transport) {
    return transport == Transport.TCP4 ? 64 * 1024 : 0;
  }

  @Override
  protected Closeable startPeerService(ChainRuntime runtime, Transport transport)
      throws IOException {
    if (transport == Transport.TCP4) {
      return () -> {}; // microsocks, started for the class
    }
    ChainSocksServer server =
        ChainSocksServer.start(
            runtime,
            transport.entryName(),
            new InetSocketAddress(Transport.MEM_STREAM.host(), microsocks.port()));
    return () -> {
      server.close();
      assertEquals(List.of(), server.failures(), "the in-memory SOCKS5 server's failures");
    };
  }

  @Override
  protected List<BadSettings> badSettings() {
    String of = " of entry 2001 'socks5' (layer)";
    return List.of(
        BadSettings.of(
            Map.of("proxy", "nowhere"),
            "setting 'proxy'"
                + of
                + " = 'nowhere' is not HOST:PORT with a"
                + " port from 1 to 65535 (expected: e.g. 127.0.0.1:1080, proxy.example:1080 or [::1]:1080)"),
        BadSettings.of(
            Map.of("proxy", "127.0.0.1:0"),
            "setting 'proxy'"
                + of
                + " = '127.0.0.1:0' is not HOST:PORT"
                + " with a port from 1 to 65535 (expected: e.g. 127.0.0.1:1080, proxy.example:1080 or [::1]:1080)"),
        BadSettings.of(
            Map.of("username", "alice"),
            "setting 'username'"
                + of
                + " needs 'password' too (RFC 1929 sends both, each 1 to 255 bytes)"),
        BadSettings.of(
            Map.of("handshake-timeout", "-1s"),
            "setting 'handshake-timeout'" + of + " = '-1s' is negative (expected: 0 or more)"),
        BadSettings.of(
            Map.of("resolve", "remote"),
            "setting 'resolve'"
                + of
                + " = 'remote' is not proxy or local (proxy: the proxy resolves host names; local:"
                + " they are resolved here)"));
  }
}
