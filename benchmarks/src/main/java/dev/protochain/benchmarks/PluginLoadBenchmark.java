package dev.protochain.benchmarks;

import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.PluginStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cold load and unload of a plugin: the startup and cleanup of [sample plugin, mem-stream] with
 * no other session open, so each operation opens the plugin's jar in a fresh class loader, makes
 * its injector and instance, and unloads and closes it all again. The plugin is the sample in
 * {@code samples/proxy-protocol}, whose jar the system property {@code protochain.plugin} names.
 * Run: {@code benchmarks/run}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PluginLoadBenchmark {

  private Path home;
  private ChainRuntime runtime;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Path jar =
        Path.of(
            System.getProperty(
                "protochain.plugin",
                "samples/proxy-protocol/target/protochain-sample-proxy-protocol-0.1.0-SNAPSHOT.jar"));
    home = Files.createTempDirectory("protochain-bench");
    PluginStore store = new PluginStore(home.resolve("plugins"));
    PluginRecord record = store.add(jar);
    ProviderDescriptor d = PluginStore.inspect(jar);
    Catalog catalog =
        Catalog.builtin()
            .withPlugin(record)
            .installLayer(d.name(), d.id(), Map.of(), List.of(1005))
            .checkValid("benchmark catalog");
    runtime =
        ChainRuntime.builder()
            .catalog(catalog)
            .source(store.source(catalog.plugins()))
            .shutdownHook(false)
            .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    runtime.close();
    try (Stream<Path> all = Files.walk(home)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  public int coldLoadUnload() throws IOException {
    Session s = runtime.startup("proxy-protocol-mem-stream");
    s.close();
    return s.entry().id();
  }
}
