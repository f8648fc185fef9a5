package dev.protochain.runtime.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.layers.trace.TraceLayer;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A factory built from a home follows the home's catalog: a chain installed while a connection is
 * open carries the next connection, and the open one keeps its chain and counts.
 */
@Timeout(60)
class HomeSocketFactoryTest {

  @TempDir Path dir;

  @AfterEach
  void forget() throws Exception {
    HomeSocketFactory.forget(dir.resolve("home"));
  }

  @Test
  void aChainInstalledWhileAConnectionIsOpenCarriesTheNextOne() throws Exception {
    Path home = dir.resolve("home");
    CatalogStore store = CatalogStore.open(ProtochainHome.of(home));
    ProviderDescriptor coalesce = ProviderDescriptor.of(CoalesceLayer.class);
    store.update(
        "coalesce over tcp4",
        c -> c.installLayer("coalesce", coalesce.id(), Map.of(), List.of(1001)));
    Properties props = new Properties();
    props.setProperty(RegisteredSocketFactory.ARG, home.toString());
    HomeSocketFactory factory = new HomeSocketFactory(props);
    ChainRuntime runtime = factory.runtime();
    assertSame(runtime, new HomeSocketFactory(home.toString()).runtime(), "one runtime a home");
    int coalesceLayer = runtime.catalog().entry("coalesce").orElseThrow().id();

    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Socket first =
            factory.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket firstAccepted = server.accept()) {
      assertEquals(1, runtime.count(coalesceLayer));

      ProviderDescriptor trace = ProviderDescriptor.of(TraceLayer.class);
      store.update(
          "trace over coalesce-tcp4",
          c ->
              c.installLayer(
                  "trace",
                  trace.id(),
                  Map.of(),
                  List.of(c.entry("coalesce-tcp4").orElseThrow().id())));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (runtime.catalog().entry("trace-coalesce-tcp4").isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the new generation not taken within 5 s");
        Thread.sleep(5);
      }
      int traceLayer = runtime.catalog().entry("trace").orElseThrow().id();

      try (Socket second =
              factory.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          Socket secondAccepted = server.accept()) {
        assertEquals(1, runtime.count(traceLayer), "the next connection crosses the new chain");
        assertEquals(2, runtime.count(coalesceLayer), "under trace, and the first connection's");
        first.getOutputStream().write(7);
        assertEquals(7, firstAccepted.getInputStream().read(), "the open one carries on");
      }
      assertEquals(0, runtime.count(traceLayer));
      assertEquals(1, runtime.count(coalesceLayer));
    }
    assertEquals(0, runtime.count(coalesceLayer));
  }
}
