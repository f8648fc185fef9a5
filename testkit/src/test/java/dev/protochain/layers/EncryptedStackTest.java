package dev.protochain.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.layers.deflate.DeflateLayer;
import dev.protochain.layers.metrics.MetricsLayer;
import dev.protochain.layers.tls.TlsLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.testing.OpenSsl;
import dev.protochain.testkit.internal.Payloads;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
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

/**
 * The chain {@code [metrics, deflate, tls, tcp4]} at both ends of a connection, with a throwaway CA
 * made by {@code openssl}: 16 MiB echo intact, the SHA-256 of what each end received equal to that
 * of what the other sent, and the metrics at the top counting every byte each way.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EncryptedStackTest {

  static final String CHAIN = "metrics-deflate-tls-tcp4";

  @TempDir Path dir;

  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  Catalog stack() throws Exception {
    OpenSsl openssl = OpenSsl.in(dir);
    OpenSsl.Issued ca = openssl.ca("ca");
    OpenSsl.Issued server = openssl.leaf("server", ca, "rsa");
    Catalog c =
        StockStackTest.install(
            Catalog.builtin(),
            TlsLayer.class,
            Map.of(
                "trust",
                ca.cert().toString(),
                "key",
                server.key().toString(),
                "cert",
                dir.resolve("server-chain.pem").toString()),
            "tcp4");
    c = StockStackTest.install(c, DeflateLayer.class, Map.of(), "tls-tcp4");
    c = StockStackTest.install(c, MetricsLayer.class, Map.of(), "deflate-tls-tcp4");
    return c.checkValid("stack");
  }

  @Test
  void sixteenMebibytesEchoIntactAndTheMetricsCountEveryByte() throws Exception {
    byte[] payload = Payloads.mixed(16 << 20, 41);
    String sent = Payloads.sha256(payload);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ChainRuntime rt = Stock.builder(stack()).service(MeterRegistry.class, registry).build();
        Session server = rt.startup(CHAIN);
        Session client = rt.startup(CHAIN)) {
      assertEquals(
          "chain metrics > deflate > tls > tcp4",
          "chain "
              + String.join(
                  " > ",
                  client.entry().chain().ids().stream()
                      .map(id -> rt.catalog().entry(id).orElseThrow().name())
                      .toList()));
      ChainSocket listener = server.open();
      listener.bind(Stock.loopback());
      listener.listen(1);
      Future<String> serving = pool.submit(() -> echoDigesting(listener));
      String echoed;
      try (ChainSocket s = client.open()) {
        s.connect((InetSocketAddress) listener.localAddress(), Duration.ofSeconds(10));
        Future<?> sending =
            pool.submit(
                () -> {
                  sendInOddChunks(s, payload);
                  s.shutdownOutput();
                  return null;
                });
        echoed = receiveDigesting(s, payload.length);
        sending.get(60, TimeUnit.SECONDS);
      }
      assertEquals(sent, serving.get(60, TimeUnit.SECONDS), "SHA-256 of what the server received");
      assertEquals(sent, echoed, "SHA-256 of what the client received back");
      listener.close();

      double bothEnds = 2.0 * payload.length;
      assertEquals(
          bothEnds,
          registry.get("protochain.bytes.sent").tag("entry", CHAIN).counter().count(),
          "sent: the client's payload and the server's echo");
      assertEquals(
          bothEnds,
          registry.get("protochain.bytes.received").tag("entry", CHAIN).counter().count(),
          "received: the server's payload and the client's echo");
      assertEquals(
          List.of(),
          registry.find("protochain.errors").counters().stream()
              .filter(c -> c.count() > 0)
              .map(c -> c.getId().toString())
              .toList(),
          "no operation failed");
    }
  }

  /**
   * Accepts one connection, echoes it in reads of an odd size, and returns the SHA-256 of what it
   * received.
   */
  static String echoDigesting(ChainSocket listener) throws Exception {
    MessageDigest digest = Payloads.sha256();
    try (ChainSocket peer = listener.accept()) {
      ByteBuffer buf = ByteBuffer.allocate(30_011);
      while (peer.receive(buf.clear()) >= 0) {
        buf.flip();
        digest.update(buf.duplicate());
        peer.sendFully(buf);
      }
      peer.shutdownOutput();
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static void sendInOddChunks(ChainSocket s, byte[] payload) throws Exception {
    Random sizes = new Random(3);
    ByteBuffer src = ByteBuffer.wrap(payload);
    while (src.hasRemaining()) {
      ByteBuffer chunk = src.slice();
      chunk.limit(Math.min(chunk.remaining(), 1 + sizes.nextInt(70_000)));
      s.sendFully(chunk);
      src.position(src.position() + chunk.position());
    }
  }

  /**
   * Receives to the end of the stream and returns the SHA-256 of what came, which must be {@code
   * expected} bytes.
   */
  static String receiveDigesting(ChainSocket s, int expected) throws Exception {
    MessageDigest digest = Payloads.sha256();
    ByteBuffer buf = ByteBuffer.allocate(50_021);
    long total = 0;
    int n;
    while ((n = s.receive(buf.clear())) >= 0) {
      digest.update(buf.flip());
      total += n;
    }
    assertEquals(expected, total, "bytes echoed");
    return HexFormat.of().formatHex(digest.digest());
  }
}
