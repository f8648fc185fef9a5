package dev.protochain.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.layers.deflate.DeflateLayer;
import dev.protochain.layers.fault.FaultLayer;
import dev.protochain.layers.filter.FilterLayer;
import dev.protochain.layers.metrics.MetricsLayer;
import dev.protochain.layers.ratelimit.RateLimitLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.testkit.internal.Echo;
import dev.protochain.testkit.internal.Payloads;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stock layers stacked seven deep, {@code [metrics, filter, ratelimit, fault, deflate,
 * coalesce, base]}, at both ends of a connection: 16 MiB echo intact, and the metrics at the top
 * count every byte.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StockStackTest {

  static final String STACK = "metrics-filter-ratelimit-fault-deflate-coalesce-";

  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  static Catalog install(Catalog c, Class<?> layer, Map<String, String> settings, String over) {
    ProviderDescriptor d = Stock.descriptor(layer);
    return c.installLayer(d.name(), d.id(), settings, List.of(c.entry(over).orElseThrow().id()));
  }

  static Catalog stack(String base) throws Exception {
    Catalog c = install(Catalog.builtin(), CoalesceLayer.class, Map.of(), base);
    c = install(c, DeflateLayer.class, Map.of(), "coalesce-" + base);
    c = install(c, FaultLayer.class, Map.of("seed", "5"), "deflate-coalesce-" + base);
    c =
        install(
            c,
            RateLimitLayer.class,
            Map.of("bytes-per-second", "1073741824"),
            "fault-deflate-coalesce-" + base);
    c =
        install(
            c,
            FilterLayer.class,
            Map.of("allow", "127.0.0.0/8"),
            "ratelimit-fault-deflate-coalesce-" + base);
    c = install(c, MetricsLayer.class, Map.of(), "filter-ratelimit-fault-deflate-coalesce-" + base);
    return c.checkValid("stack");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp4", "mem-stream"})
  void sixteenMebibytesEchoIntactThroughSevenLevels(String base) throws Exception {
    byte[] payload = Payloads.mixed(16 << 20, 77);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ChainRuntime rt =
        Stock.builder(stack(base)).service(MeterRegistry.class, registry).build()) {
      String chain = STACK + base;
      try (Session server = rt.startup(chain);
          Session client = rt.startup(chain)) {
        assertEquals(7, client.entry().chain().length());
        ChainSocket listener = server.open();
        listener.bind(Stock.loopback());
        listener.listen(4);
        try (Echo echo = Echo.serve(listener, 30_011, pool);
            ChainSocket s = client.open()) {
          s.connect((InetSocketAddress) listener.localAddress(), Duration.ofSeconds(10));
          byte[] back = Echo.exchange(s, payload, 70_000, 50_021, 9, true, 0, pool);
          assertEquals(payload.length, back.length);
          assertEquals(Payloads.sha256(payload), Payloads.sha256(back));
          assertEquals(1, echo.accepted());
        }
        assertEquals(
            2.0 * payload.length,
            registry.get("protochain.bytes.sent").tag("entry", chain).counter().count(),
            "both ends, all bytes");
      }
      assertEquals(List.of(), rt.counts().values().stream().filter(n -> n != 0).toList());
    }
  }
}
