package dev.protochain.benchmarks;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * The cost of one 64-byte send and its receive through {@code depth} pass-through layers over the
 * in-memory loopback ({@code chain}; 6 layers over the base make a 7-deep chain, the deepest the
 * catalog allows), against the same sockets under {@code depth} hand-written decorators ({@code
 * decorators}). Both paths also pass the runtime's application-facing socket. Run: {@code
 * benchmarks/run} (or JMH directly: {@code java -cp ... org.openjdk.jmh.Main SendReceive}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SendReceiveBenchmark {

  @Param({"0", "1", "3", "6"})
  int depth;

  @Param({"chain", "decorators"})
  String kind;

  private ChainRuntime runtime;
  private Session session;
  private ChainSocket listener;
  private ChainSocket client;
  private ChainSocket server;
  private final ByteBuffer out = ByteBuffer.allocate(64);
  private final ByteBuffer in = ByteBuffer.allocate(64);

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    boolean chain = kind.equals("chain");
    runtime = Chains.runtime("mem-stream", chain ? depth : 0);
    session = runtime.startup(Chains.top("mem-stream", chain ? depth : 0));
    listener = session.open();
    listener.bind(null);
    listener.listen(1);
    ChainSocket c = session.open();
    c.connect(listener.localAddress());
    ChainSocket s = listener.accept();
    client = chain ? c : Decorator.wrap(c, depth);
    server = chain ? s : Decorator.wrap(s, depth);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    client.close();
    server.close();
    listener.close();
    session.close();
    runtime.close();
  }

  @Benchmark
  public int sendReceive() throws IOException {
    out.clear();
    client.sendFully(out);
    in.clear();
    server.receiveFully(in);
    return in.get(0);
  }
}
