package dev.protochain.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.protochain.api.EntryKind;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.internal.ClasspathProviderSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every stock layer is registered for {@link java.util.ServiceLoader}, as {@code protochain catalog
 * install --layer NAME} finds them, and installs with {@link Catalog#installLayer} and its
 * defaults.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StockLayersTest {

  static List<ProviderDescriptor> stockLayers() {
    List<ProviderDescriptor> layers = new ArrayList<>();
    ClasspathProviderSource source =
        new ClasspathProviderSource(StockLayersTest.class.getClassLoader());
    assertEquals(List.of(), source.unusable());
    for (ProviderDescriptor d : source.descriptors()) {
      if (d.kind() == EntryKind.LAYER && d.className().startsWith("dev.protochain.layers.")) {
        layers.add(d);
      }
    }
    return layers;
  }

  @Test
  void everyStockLayerIsRegisteredOnce() {
    List<String> names = new ArrayList<>();
    stockLayers().forEach(d -> names.add(d.name() + " " + d.className()));
    assertEquals(
        List.of(
            "trace dev.protochain.layers.trace.TraceLayer",
            "coalesce dev.protochain.layers.coalesce.CoalesceLayer",
            "tls dev.protochain.layers.tls.TlsLayer",
            "socks5 dev.protochain.layers.socks5.Socks5Layer",
            "deflate dev.protochain.layers.deflate.DeflateLayer",
            "ratelimit dev.protochain.layers.ratelimit.RateLimitLayer",
            "metrics dev.protochain.layers.metrics.MetricsLayer",
            "filter dev.protochain.layers.filter.FilterLayer",
            "fault dev.protochain.layers.fault.FaultLayer",
            "websocket dev.protochain.layers.websocket.WebSocketLayer"),
        names);
  }

  @Test
  void everyStockLayerInstallsOverTheStreamAndDatagramBasesAndStartsWithItsDefaults()
      throws Exception {
    Catalog catalog = Catalog.builtin();
    List<String> chains = new ArrayList<>();
    for (ProviderDescriptor d : stockLayers()) {
      List<Integer> over = new ArrayList<>(List.of(1001, 1005));
      if (d.requiresBelow().isEmpty()) {
        over.add(1006);
      }
      // socks5 has no default proxy; a startup does not connect, so any address will do.
      Map<String, String> required =
          d.name().equals("socks5") ? Map.of("proxy", "127.0.0.1:1080") : Map.of();
      catalog = catalog.installLayer(d.name(), d.id(), required, over);
      chains.add(d.name() + "-mem-stream");
    }
    try (ChainRuntime rt = Stock.runtime(catalog.checkValid("stock catalog"))) {
      for (String chain : chains) {
        try (Session s = rt.startup(chain)) {
          assertEquals(chain, s.entry().name());
        }
      }
      assertEquals(List.of(), rt.counts().values().stream().filter(n -> n != 0).toList());
    }
  }
}
