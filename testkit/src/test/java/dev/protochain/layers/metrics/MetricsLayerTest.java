package dev.protochain.layers.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.Stock;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.ProviderBinding;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.ProviderState;
import dev.protochain.runtime.UnloadCheck;
import dev.protochain.runtime.internal.InjectedBinding;
import dev.protochain.runtime.internal.RegisteredProviderSource;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the metrics layer records, where, with which tags; that the application's meters outlive
 * each load of the layer and keep nothing of it, and that a load's own registry goes with it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsLayerTest {

  @TempDir Path dir;

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

  static LongTaskTimer open(MeterRegistry r, Tags tags) {
    return r.get("protochain.sockets.open").tags(tags).longTaskTimer();
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
      assertEquals(0, open(registry, MEM).activeTasks());

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
      assertEquals(1, open(registry, MEM).activeTasks());
      assertTrue(
          registry
                  .get("protochain.operations")
                  .tags(MEM)
                  .tag("operation", "accept")
                  .timer()
                  .totalTime(TimeUnit.MILLISECONDS)
              >= 50,
          "the failed accept's wait is timed too");

      session.close(); // the final cleanup unloads the layer; the application's meters stay
      assertEquals(0, open(registry, MEM).activeTasks(), "the unload ended the open socket's task");
      assertEquals(20_000, counter(registry, "protochain.bytes.sent", MEM));
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

  /* ---- meters that outlive a load ---- */

  @Test
  void theApplicationsCountersOutliveEachUnloadAndCountOnAfterTheNextLoad() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Catalog catalog = catalog(Map.of());
    int layer = catalog.entry("metrics").orElseThrow().id();
    try (ChainRuntime rt = Stock.builder(catalog).service(MeterRegistry.class, registry).build()) {
      try (Session session = rt.startup("metrics-mem-stream")) {
        echo(session, 10_000);
        ChainSocket stillOpen = session.open(); // the unload ends its task
        assertEquals(1, open(registry, MEM).activeTasks());
        assertTrue(stillOpen.isOpen());
      }
      assertEquals(0, rt.count(layer));
      assertEquals(ProviderState.UNLOADED, rt.state(layer));
      assertEquals(20_000, counter(registry, "protochain.bytes.sent", MEM));
      assertEquals(20_000, counter(registry, "protochain.bytes.received", MEM));
      assertEquals(1, timerCount(registry, "connect", MEM));
      assertEquals(0, open(registry, MEM).activeTasks());

      try (Session again = rt.startup("metrics-mem-stream")) {
        echo(again, 1_000);
        assertEquals(2, rt.loads(layer), "a fresh load");
        assertEquals(22_000, counter(registry, "protochain.bytes.sent", MEM));
        assertEquals(22_000, counter(registry, "protochain.bytes.received", MEM));
        assertEquals(2, timerCount(registry, "connect", MEM));
      }
      assertEquals(0, rt.count(layer));
      assertEquals(22_000, counter(registry, "protochain.bytes.sent", MEM));
      assertEquals(
          1,
          registry.find("protochain.bytes.sent").counters().size(),
          "one counter, registered again by each load");
    }
  }

  @Test
  void metersOutlivingTheirLoadKeepNothingOfTheLayersClassLoader() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    UnloadCheck check = new UnloadCheck();
    Catalog catalog = catalog(Map.of());
    int layer = catalog.entry("metrics").orElseThrow().id();
    try (ChainRuntime rt =
        Stock.builder(catalog)
            .source(check.track(new IsolatedSource(classesOf(MetricsLayer.class))))
            .service(MeterRegistry.class, registry)
            .build()) {
      for (int load = 1; load <= 2; load++) {
        try (Session session = rt.startup("metrics-mem-stream")) {
          echo(session, 1_000);
        }
        assertEquals(0, rt.count(layer));
        assertEquals(load * 2_000, counter(registry, "protochain.bytes.sent", MEM));
      }
      assertEquals(2, check.loads(), "each load had a class loader of its own");
      UnloadCheck.Report report = check.verify(20);
      assertTrue(report.clean(), report.toString());
      assertEquals(4_000, counter(registry, "protochain.bytes.received", MEM));
    }
  }

  /**
   * Returns where {@code type}'s classes are: its directory, or a copy of its jar that only the
   * isolated loaders open (the class path keeps the original open).
   */
  URL classesOf(Class<?> type) throws IOException {
    Path where;
    try {
      where = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new AssertionError(e);
    }
    if (Files.isRegularFile(where)) {
      where = Files.copy(where, dir.resolve("isolated-" + where.getFileName()));
    }
    return where.toUri().toURL();
  }

  /**
   * Loads the metrics layer's package afresh at each bind, in a loader of its own that shares the
   * API, Micrometer and everything else with the test: the way an application container might, and
   * a loader the registry must not keep.
   */
  static final class IsolatedSource implements ProviderSource {
    static final ProviderDescriptor DESCRIPTOR = Stock.descriptor(MetricsLayer.class);

    private final URL classes;

    IsolatedSource(URL classes) {
      this.classes = classes;
    }

    @Override
    public String name() {
      return "isolated metrics layer";
    }

    @Override
    public Optional<ProviderDescriptor> describe(UUID providerId) {
      return Optional.of(DESCRIPTOR).filter(d -> d.id().equals(providerId));
    }

    @Override
    public ProviderBinding bind(UUID providerId) throws ProtochainException {
      URLClassLoader loader =
          new URLClassLoader(
              "isolated metrics", new URL[] {classes}, Stock.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve)
                throws ClassNotFoundException {
              if (!name.startsWith(MetricsLayer.class.getPackageName() + ".")) {
                return super.loadClass(name, resolve);
              }
              synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                return c != null ? c : findClass(name);
              }
            }
          };
      Class<? extends Provider> type;
      try {
        type =
            Class.forName(MetricsLayer.class.getName(), false, loader).asSubclass(Provider.class);
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
      assertNotSame(MetricsLayer.class, type);
      InjectedBinding injected = InjectedBinding.ofClass(DESCRIPTOR, type);
      return new InjectedBinding() {
        @Override
        public ProviderDescriptor descriptor() {
          return DESCRIPTOR;
        }

        @Override
        public com.google.inject.Module module() {
          return injected.module();
        }

        @Override
        public ClassLoader classLoader() {
          return loader;
        }

        @Override
        public void close() throws IOException {
          loader.close();
        }
      };
    }
  }
}
