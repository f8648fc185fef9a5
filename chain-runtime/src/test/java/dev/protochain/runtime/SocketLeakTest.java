package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.runtime.testing.PluginJars;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand start/stop cycles of the chain [plugin layer, coalesce, tcp4], each leaving a listener
 * and a connected TCP pair (with bytes held by coalesce) open at the final cleanup: threads, file
 * descriptors, class loaders and heap come back to within a small bound of the start. {@code
 * -Dprotochain.leak.cycles=N} runs more; the soak profile runs the soak variant with the number it
 * sets.
 */
class SocketLeakTest {

  static final int CYCLES = Integer.getInteger("protochain.leak.cycles", 1_000);

  @Test
  @Timeout(300)
  void cyclesWithSocketsLeftOpenAtCleanupLeaveNothingBehind(@TempDir Path home) throws Exception {
    cycles(home);
  }

  /** The soak variant: {@code mvn -B verify -Psoak} sets {@code protochain.leak.cycles}. */
  @Test
  @Tag("soak")
  @Timeout(3600)
  void manyMoreCyclesWithSocketsLeftOpenAtCleanupLeaveNothingBehind(@TempDir Path home)
      throws Exception {
    cycles(home);
  }

  static void cycles(Path home) throws Exception {
    Path jar =
        new PluginJars()
            .source("test.counter.CounterLayer", PluginTest.COUNTER)
            .provider("test.counter.CounterLayer")
            .build(Files.createTempDirectory(home, "build").resolve("counter.jar"));
    PluginStore store = new PluginStore(home.resolve("plugins"));
    PluginRecord record = store.add(jar);
    ProviderDescriptor counter = PluginStore.inspect(jar);
    ProviderDescriptor coalesce = ProviderDescriptor.of(CoalesceLayer.class);
    Catalog c =
        Catalog.builtin()
            .withPlugin(record)
            .installLayer(
                "coalesce",
                coalesce.id(),
                Map.of("delay", "0", "flush-on-receive", "false"),
                List.of(1001));
    c =
        c.installLayer(
                "counter",
                counter.id(),
                Map.of(),
                List.of(c.entry("coalesce-tcp4").orElseThrow().id()))
            .checkValid("test");
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .catalog(c)
            .source(store.source(c.plugins()))
            .shutdownHook(false)
            .build()) {
      for (int i = 0; i < 20; i++) {
        cycle(runtime);
      }
      PluginCyclesTest.Snapshot before = PluginCyclesTest.Snapshot.take();
      long start = System.nanoTime();
      for (int i = 0; i < CYCLES; i++) {
        cycle(runtime);
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      PluginCyclesTest.Snapshot after = PluginCyclesTest.Snapshot.take();
      System.out.printf(
          "%d cycles with 3 sockets left open each in %d ms; classes %d -> %d (%d unloaded), "
              + "threads %d -> %d, fds %d -> %d, heap %d -> %d KiB%n",
          CYCLES,
          millis,
          before.classes(),
          after.classes(),
          after.unloaded() - before.unloaded(),
          before.threads(),
          after.threads(),
          before.fds(),
          after.fds(),
          before.heap() >> 10,
          after.heap() >> 10);
      assertEquals(Map.of(1001, 0, 2001, 0, 2002, 0), runtime.counts());
      assertTrue(
          after.unloaded() - before.unloaded() >= CYCLES,
          "each cycle's plugin class loader is collected");
      assertTrue(
          after.classes() <= before.classes() + 50,
          "classes: " + before.classes() + " -> " + after.classes());
      assertTrue(
          after.threads() <= before.threads(),
          "threads: " + before.threads() + " -> " + after.threads());
      assertTrue(
          after.fds() <= before.fds() + 2,
          "file descriptors: " + before.fds() + " -> " + after.fds());
      assertTrue(
          after.heap() <= before.heap() + (16 << 20),
          "heap: " + before.heap() + " -> " + after.heap());
    }
  }

  static void cycle(ChainRuntime runtime) throws Exception {
    Session session = runtime.startup("counter-coalesce-tcp4");
    ChainSocket listener = session.open();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    listener.listen(1);
    ChainSocket client = session.open();
    client.connect(listener.localAddress());
    ChainSocket server = listener.accept();
    client.send(
        ByteBuffer.allocate(100)); // held by coalesce, delivered by the final cleanup's drain
    session.close(); // the listener, the client and the server are still open
    if (client.isOpen() || server.isOpen() || listener.isOpen()) {
      throw new AssertionError("the final cleanup left a socket open");
    }
  }
}
