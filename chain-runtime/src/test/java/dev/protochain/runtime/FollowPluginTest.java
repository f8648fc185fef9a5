package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import dev.protochain.runtime.testing.PluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime following its home's catalog loads a plugin installed after it was built, from the
 * home's plugin store, and unloads it at count zero: the runtime's unload check tracked that load
 * and saw its class loader collected.
 */
class FollowPluginTest {

  @TempDir Path dir;

  @Test
  @Timeout(60)
  void aPluginInstalledWhileTheRuntimeRunsLoadsFromTheHome() throws Exception {
    ProtochainHome home = ProtochainHome.of(dir.resolve("home"));
    CatalogStore store = CatalogStore.open(home);
    UnloadCheck check = new UnloadCheck();
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .store(store)
            .followCatalog(true)
            .unloadCheck(check)
            .shutdownHook(false)
            .build()) {
      assertEquals(Catalog.builtin(), runtime.catalog());

      // What 'catalog install --plugin' does, through a store of its own.
      Path jar =
          new PluginJars()
              .source("test.counter.CounterLayer", PluginTest.COUNTER)
              .provider("test.counter.CounterLayer")
              .build(Files.createTempDirectory(dir, "build").resolve("counter.jar"));
      PluginStore plugins = home.plugins();
      PluginRecord record = plugins.add(jar);
      ProviderDescriptor d = PluginStore.inspect(jar);
      CatalogStore.open(home)
          .update(
              "install plugin 'counter'",
              c ->
                  plugins
                      .record(c, record)
                      .installLayer(d.name(), d.id(), Map.of(), List.of(1005)));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (runtime.catalog().entry("counter-mem-stream").isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "not followed within 5 s");
        Thread.sleep(1);
      }
      int layer = runtime.catalog().entry("counter").orElseThrow().id();
      useOnce(runtime, layer);
      assertEquals(0, runtime.count(layer));
      assertEquals(ProviderState.UNLOADED, runtime.state(layer));
      assertEquals(1, runtime.loads(layer));
      assertEquals(1, check.loads(), "the load from the home's plugin store was tracked");
      UnloadCheck.Report report = check.verify(20);
      assertTrue(report.clean(), report.toString());
    }
  }

  /**
   * Opens a socket over the plugin layer and closes it, in a frame of its own: a local variable
   * still holding the socket in the test's frame would keep the plugin's class loader.
   */
  private static void useOnce(ChainRuntime runtime, int layer) throws Exception {
    try (Session s = runtime.startup("counter-mem-stream");
        ChainSocket socket = s.open()) {
      assertEquals(1, runtime.count(layer));
      assertTrue(socket.toString().contains("counter loads=1"), socket.toString());
    }
  }
}
