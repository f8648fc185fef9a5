package dev.protochain.layers.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import dev.protochain.layers.Stock;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.internal.RegisteredProviderSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the metrics layer records, where, with which tags, and that unload removes it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsLayerTest {

  static final Tags MEM = Tags.of("entry", "metrics-mem-stream", "layer", "metrics");

  static Catalog catalog(Map<String, String> settings) {
    return Stock.catalog(MetricsLayer.class, settings, "mem-stream", "tcp4");
  }

  /** Echoes {@code bytes} bytes once through the chain {@code chain}, both ends metered. */
  static void echo(Session session, int bytes) throws IOException {
    ChainSocket listener = Stock.listener(session);
    ChainSocket client = session.open();
    client.connect(listener.localAddress());
    ChainSocket server = listener.accept();
    client.sendFully(ByteBuffer.wrap(new byte[bytes]));
    ByteBuffer buf = ByteBuffer.allocate(bytes);
    server.receiveFully(buf);
    server.sendFully(buf.flip());
    assertTrue(client.receiveFully(ByteBuffer.allocate(bytes)));
    server.close();
    client.close();
    listener.close();
  }

  static double counter(MeterRegistry r, String name, Tags tags) {
    return r.get(name).tags(tags).counter().count();
  }

  static long timerCount(MeterRegistry r, String operation, Tags tags) {
    return r.get("protochain.operations").tags(tags).tag("operation", operation).timer().count();
  }

  @Test
  void anApplicationRegistryReceivesBytesOperationsErrorsAndOpenSocketsTaggedByEntryAndLayer()
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ChainRuntime rt =
        Stock.builder(catalog(Map.of())).service(MeterRegistry.class, registry).build()) {
      Session session = rt.startup("metrics-mem-stream");
      echo(session, 10_000);

      assertEquals(20_000, counter(registry, "protochain.bytes.sent", MEM));
      assertEquals(20_000, counter(registry, "protochain.bytes.received", MEM));
      assertEquals(1, timerCount(registry, "connect", MEM));
      assertEquals(1, timerCount(registry, "accept", MEM));
      assertEquals(3, timerCount(registry, "close", MEM));
      assertEquals(0, registry.get("protochain.sockets.open").tags(MEM).gauge().value());

      ChainSocket waiting = session.open();
      waiting.bind(Stock.loopback());
      waiting.listen(1);
      waiting.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(50));
      assertThrows(SocketTimeoutException.class, waiting::accept);
      assertEquals(
          1,
          counter(
              registry,
              "protochain.errors",
              MEM.and("operation", "accept", "exception", "SocketTimeoutException")));
      assertEquals(1, registry.get("protochain.sockets.open").tags(MEM).gauge().value());
      assertTrue(
          registry
                  .get("protochain.operations")
                  .tags(MEM)
                  .tag("operation", "accept")
                  .timer()
                  .totalTime(TimeUnit.MILLISECONDS)
              >= 50,
          "the failed accept's wait is timed too");

      session.close(); // the final cleanup unloads the layer, which removes its meters
      assertEquals(List.of(), registry.getMeters());
      assertFalse(registry.isClosed(), "the application's registry stays the application's");
    }
  }

  @Test
  void eachChainEntryHasItsOwnMetersUnderTheConfiguredPrefix() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ChainRuntime rt =
            Stock.builder(catalog(Map.of("prefix", "app.net")))
                .service(MeterRegistry.class, registry)
                .build();
        Session mem = rt.startup("metrics-mem-stream");
        Session tcp = rt.startup("metrics-tcp4")) {
      echo(mem, 100);
      echo(tcp, 300);
      assertEquals(200, counter(registry, "app.net.bytes.sent", MEM));
      assertEquals(
          600,
          counter(
              registry,
              "app.net.bytes.sent",
              Tags.of("entry", "metrics-tcp4", "layer", "metrics")));
    }
  }

  @Test
  void withoutAnApplicationRegistryTheLayerKeepsItsOwnAndClosesItAtUnload() throws Exception {
    RegisteredProviderSource source =
        new RegisteredProviderSource("testkit providers")
            .register(Stock.descriptor(MetricsLayer.class), MetricsLayer::new);
    try (ChainRuntime rt = Stock.builder(catalog(Map.of())).source(source).build()) {
      Session session = rt.startup("metrics-mem-stream");
      echo(session, 1_000);
      MetricsLayer layer =
          assertInstanceOf(
              MetricsLayer.class,
              source.instances(Stock.descriptor(MetricsLayer.class).id()).get(0));
      MeterRegistry own = layer.registry();
      assertInstanceOf(SimpleMeterRegistry.class, own);
      assertEquals(2_000, counter(own, "protochain.bytes.received", MEM));

      session.close();

      assertEquals(List.of(), own.getMeters());
      assertTrue(own.isClosed());
    }
  }
}
