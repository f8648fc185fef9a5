package dev.protochain.benchmarks;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * protochain: a chain of {@code depth} pass-through layers over tcp4, or any chain of a runtime,
 * blocking sockets, one thread per side.
 */
final class ChainContender implements TcpContender {

  private final String name;
  private final ChainRuntime runtime;
  private final Session session;
  private final ExecutorService server = Executors.newSingleThreadExecutor();

  ChainContender(int depth) throws IOException {
    this(
        "protochain (" + depth + " layers)",
        Chains.runtime("tcp4", depth),
        Chains.top("tcp4", depth));
  }

  /** The chain named {@code entry} of {@code runtime}, which it closes when it is closed. */
  ChainContender(String name, ChainRuntime runtime, String entry) throws IOException {
    this.name = name;
    this.runtime = runtime;
    this.session = runtime.startup(entry);
  }

  @Override
  public String name() {
    return name;
  }

  private ChainSocket listen() throws IOException {
    ChainSocket l = session.open();
    l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    l.listen(1);
    return l;
  }

  private ChainSocket connect(ChainSocket listener) throws IOException {
    ChainSocket c = session.open();
    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
    c.connect(listener.localAddress());
    return c;
  }

  @Override
  public double throughput(int size, long total) throws Exception {
    try (ChainSocket listener = listen()) {
      Future<Long> reading =
          server.submit(
              () -> {
                long n = 0;
                try (ChainSocket s = listener.accept()) {
                  ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
                  for (int r; (r = s.receive(buf.clear())) >= 0; ) {
                    n += r;
                  }
                }
                return n;
              });
      try (ChainSocket c = connect(listener)) {
        ByteBuffer msg = ByteBuffer.allocateDirect(size);
        long start = System.nanoTime();
        for (long sent = 0; sent < total; sent += size) {
          c.sendFully(msg.clear());
        }
        c.shutdownOutput();
        long read = reading.get(5, TimeUnit.MINUTES);
        long nanos = System.nanoTime() - start;
        if (read != total / size * size) {
          throw new IllegalStateException(
              name() + " delivered " + read + " of " + total + " bytes");
        }
        return read / (1024.0 * 1024.0) / (nanos / 1e9);
      }
    }
  }

  @Override
  public long[] pingPong(int warmup, int count) throws Exception {
    try (ChainSocket listener = listen()) {
      Future<?> echo =
          server.submit(
              () -> {
                try (ChainSocket s = listener.accept()) {
                  s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                  ByteBuffer buf = ByteBuffer.allocateDirect(64);
                  while (s.receiveFully(buf.clear())) {
                    s.sendFully(buf.flip());
                  }
                }
                return null;
              });
      long[] latencies = new long[count];
      try (ChainSocket c = connect(listener)) {
        ByteBuffer ping = ByteBuffer.allocateDirect(64);
        ByteBuffer pong = ByteBuffer.allocateDirect(64);
        for (int i = -warmup; i < count; i++) {
          long t0 = System.nanoTime();
          c.sendFully(ping.clear());
          c.receiveFully(pong.clear());
          if (i >= 0) {
            latencies[i] = System.nanoTime() - t0;
          }
        }
        c.shutdownOutput();
      }
      echo.get(1, TimeUnit.MINUTES);
      return latencies;
    }
  }

  @Override
  public void close() throws IOException {
    server.shutdownNow();
    session.close();
    runtime.close();
  }
}
