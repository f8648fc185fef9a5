package dev.protochain.benchmarks;

import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A warm startup + cleanup pair of a chain of {@code depth} pass-through layers over the in-memory
 * loopback (6 layers make a 7-deep chain): one session stays open, so the pair only moves counts
 * (no load, no unload). Run: {@code benchmarks/run}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StartupCleanupBenchmark {

  @Param({"1", "3", "6"})
  int depth;

  private ChainRuntime runtime;
  private Session keepWarm;
  private int entry;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    runtime = Chains.runtime("mem-stream", depth);
    keepWarm = runtime.startup(Chains.top("mem-stream", depth));
    entry = keepWarm.entry().id();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    keepWarm.close();
    runtime.close();
  }

  @Benchmark
  public int startupCleanup() throws IOException {
    Session s = runtime.startup(entry);
    s.close();
    return s.entry().id();
  }
}
