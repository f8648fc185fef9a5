package dev.protochain.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Settings;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.api.spi.RuntimeServices;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A stock layer's defaults are written once, in its {@code @SettingInfo}s: the runtime hands the
 * layer its entry's settings over those defaults, and the layer itself knows no default.
 */
class SettingDefaultsTest {

  /** What a layer needs set besides its defaults to load. */
  static final Map<String, Map<String, String>> REQUIRED =
      Map.of("socks5", Map.of("proxy", "127.0.0.1:1080"));

  /**
   * Each defaulted setting of each stock layer, left out of what the runtime would give: the layer
   * refuses to load rather than use a default of its own.
   */
  @Test
  void noStockLayerHasADefaultOfItsOwn() throws Exception {
    List<String> checked = new ArrayList<>();
    for (ProviderDescriptor d : StockLayersTest.stockLayers()) {
      for (String key : d.defaults().keySet()) {
        Map<String, String> settings = settings(d);
        settings.remove(key);
        CatalogEntry entry = entry(d);
        AbstractLayer layer = layer(d);
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class,
                () -> layer.load(context(d, entry, settings)),
                d.name() + " loaded without '" + key + "'");
        assertEquals(
            "setting '" + key + "' of " + entry + " is required but not set", e.getMessage());
        checked.add(d.name() + "." + key);
      }
    }
    assertFalse(checked.isEmpty());
    assertEquals(
        List.of(
            "coalesce.delay",
            "coalesce.flush-on-receive",
            "coalesce.threshold",
            "deflate.delay",
            "deflate.level",
            "deflate.max-frame",
            "fault.delay",
            "fault.delay-probability",
            "fault.drop-probability",
            "fault.reset-probability",
            "fault.seed",
            "fault.short-write-probability",
            "metrics.histogram",
            "metrics.prefix",
            "ratelimit.bytes-per-second",
            "ratelimit.operations-per-second",
            "ratelimit.scope",
            "socks5.handshake-timeout",
            "socks5.resolve",
            "tls.handshake-on-accept",
            "tls.handshake-timeout",
            "tls.hostname-verification",
            "trace.level",
            "websocket.handshake-timeout",
            "websocket.max-message",
            "websocket.path"),
        checked.stream().sorted().toList());
  }

  /**
   * A default changed in the descriptor (here: deflate's level, to a value out of range) is what
   * the layer reads.
   */
  @Test
  void aChangedDefaultIsHonoured() throws Exception {
    ProviderDescriptor d = Stock.descriptor(dev.protochain.layers.deflate.DeflateLayer.class);
    Map<String, String> settings = settings(d);
    settings.put("level", "42");
    CatalogEntry entry = entry(d);
    assertEquals(
        "setting 'level' of " + entry + " = 42 is out of range (expected: 0 to 9)",
        assertThrows(
                IllegalArgumentException.class, () -> layer(d).load(context(d, entry, settings)))
            .getMessage());
  }

  private static Map<String, String> settings(ProviderDescriptor d) {
    Map<String, String> s = new LinkedHashMap<>(d.defaults());
    s.putAll(REQUIRED.getOrDefault(d.name(), Map.of()));
    return s;
  }

  private static CatalogEntry entry(ProviderDescriptor d) throws Exception {
    return Stock.catalog(Class.forName(d.className()), Map.of(), "tcp4")
        .entry(d.name())
        .orElseThrow();
  }

  private static AbstractLayer layer(ProviderDescriptor d) throws Exception {
    return Class.forName(d.className())
        .asSubclass(AbstractLayer.class)
        .getDeclaredConstructor()
        .newInstance();
  }

  /** The context the runtime would give, with {@code settings} standing for the merged ones. */
  private static ProviderContext context(
      ProviderDescriptor d, CatalogEntry entry, Map<String, String> settings) {
    return new Load(entry, d, Settings.of(entry.toString(), settings), new NoServices());
  }

  record Load(
      CatalogEntry entry,
      ProviderDescriptor descriptor,
      Settings settings,
      RuntimeServices services)
      implements ProviderContext {}

  /** Services with nothing registered. */
  record NoServices() implements RuntimeServices {
    @Override
    public String runtimeName() {
      return "setting-defaults-test";
    }

    @Override
    public Clock clock() {
      return Clock.systemUTC();
    }

    @Override
    public <T> Optional<T> find(Class<T> type) {
      return Optional.empty();
    }

    @Override
    public java.util.concurrent.ThreadFactory threadFactory() {
      return Thread::new;
    }
  }
}
