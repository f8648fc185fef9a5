package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.testing.PluginJars;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand load/unload cycles of a plugin chain, each with a socket and a plugin thread: loaded
 * classes, threads, file descriptors and heap return to within a small bound of the start. {@code
 * -Dprotochain.leak.cycles=N} runs more; the soak profile runs the soak variant with the number it
 * sets.
 */
class PluginCyclesTest {

  static final int CYCLES = Integer.getInteger("protochain.leak.cycles", 1_000);

  @Test
  @Timeout(180)
  void aThousandLoadUnloadCyclesLeaveNoClassesThreadsDescriptorsOrHeapBehind(@TempDir Path home)
      throws Exception {
    cycles(home);
  }

  /** The soak variant: {@code mvn -B verify -Psoak} sets {@code protochain.leak.cycles}. */
  @Test
  @Tag("soak")
  @Timeout(3600)
  void manyMoreLoadUnloadCyclesLeaveNoClassesThreadsDescriptorsOrHeapBehind(@TempDir Path home)
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
    ProviderDescriptor d = PluginStore.inspect(jar);
    Catalog catalog =
        Catalog.builtin()
            .withPlugin(record)
            .installLayer(d.name(), d.id(), Map.of(), List.of(1005))
            .checkValid("test");
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .catalog(catalog)
            .source(store.source(catalog.plugins()))
            .shutdownHook(false)
            .build()) {
      for (int i = 0; i < 20; i++) {
        cycle(runtime); // warm up: the host's own classes load once
      }
      Snapshot before = Snapshot.take();
      long start = System.nanoTime();
      for (int i = 0; i < CYCLES; i++) {
        cycle(runtime);
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      Snapshot after = Snapshot.take();
      System.out.printf(
          "%d plugin load/unload cycles in %d ms (%.2f ms each); classes %d -> %d (%d unloaded), "
              + "threads %d -> %d, fds %d -> %d, heap %d -> %d KiB%n",
          CYCLES,
          millis,
          (double) millis / CYCLES,
          before.classes,
          after.classes,
          after.unloaded - before.unloaded,
          before.threads,
          after.threads,
          before.fds,
          after.fds,
          before.heap >> 10,
          after.heap >> 10);

      assertEquals(CYCLES + 20, runtime.loads(2001));
      assertTrue(
          after.unloaded - before.unloaded >= CYCLES, "each cycle's plugin classes are unloaded");
      assertTrue(
          after.classes <= before.classes + 50,
          "classes: " + before.classes + " -> " + after.classes);
      assertTrue(
          after.threads <= before.threads, "threads: " + before.threads + " -> " + after.threads);
      assertTrue(
          after.fds <= before.fds + 2, "file descriptors: " + before.fds + " -> " + after.fds);
      assertTrue(
          after.heap <= before.heap + (16 << 20), "heap: " + before.heap + " -> " + after.heap);
    }
  }

  static void cycle(ChainRuntime runtime) throws Exception {
    try (Session session = runtime.startup("counter-mem-stream");
        ChainSocket socket = session.open()) {
      socket.bind(null);
    }
  }

  record Snapshot(int classes, long unloaded, int threads, long fds, long heap) {
    static Snapshot take() throws Exception {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      for (int i = 0; i < 5; i++) {
        System.gc();
        Thread.sleep(50);
      }
      ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
      long fds;
      try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
        fds = s.count();
      }
      return new Snapshot(
          classes.getLoadedClassCount(),
          classes.getUnloadedClassCount(),
          Thread.activeCount(),
          fds,
          memory.getHeapMemoryUsage().getUsed());
    }
  }
}
