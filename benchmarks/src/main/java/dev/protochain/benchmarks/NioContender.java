package dev.protochain.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** The baseline: a raw blocking {@link SocketChannel} pair, one thread per side. */
final class NioContender implements TcpContender {

  private final ExecutorService server = Executors.newSingleThreadExecutor();

  @Override
  public String name() {
    return "raw NIO";
  }

  private static ServerSocketChannel listen() throws IOException {
    ServerSocketChannel l = ServerSocketChannel.open();
    l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
    return l;
  }

  private static SocketChannel connect(ServerSocketChannel listener) throws IOException {
    SocketChannel c = SocketChannel.open();
    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
    c.connect(listener.getLocalAddress());
    return c;
  }

  private static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      c.write(b);
    }
  }

  private static boolean readFully(SocketChannel c, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (c.read(b) < 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public double throughput(int size, long total) throws Exception {
    try (ServerSocketChannel listener = listen()) {
      Future<Long> reading =
          server.submit(
              () -> {
                long n = 0;
                try (SocketChannel s = listener.accept()) {
                  ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
                  for (int r; (r = s.read(buf.clear())) >= 0; ) {
                    n += r;
                  }
                }
                return n;
              });
      try (SocketChannel c = connect(listener)) {
        ByteBuffer msg = ByteBuffer.allocateDirect(size);
        long start = System.nanoTime();
        for (long sent = 0; sent < total; sent += size) {
          writeFully(c, msg.clear());
        }
        c.shutdownOutput();
        long read = reading.get(5, TimeUnit.MINUTES);
        long nanos = System.nanoTime() - start;
        return read / (1024.0 * 1024.0) / (nanos / 1e9);
      }
    }
  }

  @Override
  public long[] pingPong(int warmup, int count) throws Exception {
    try (ServerSocketChannel listener = listen()) {
      Future<?> echo =
          server.submit(
              () -> {
                try (SocketChannel s = listener.accept()) {
                  s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                  ByteBuffer buf = ByteBuffer.allocateDirect(64);
                  while (readFully(s, buf.clear())) {
                    writeFully(s, buf.flip());
                  }
                }
                return null;
              });
      long[] latencies = new long[count];
      try (SocketChannel c = connect(listener)) {
        ByteBuffer ping = ByteBuffer.allocateDirect(64);
        ByteBuffer pong = ByteBuffer.allocateDirect(64);
        for (int i = -warmup; i < count; i++) {
          long t0 = System.nanoTime();
          writeFully(c, ping.clear());
          readFully(c, pong.clear());
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
  public void close() {
    server.shutdownNow();
  }
}
