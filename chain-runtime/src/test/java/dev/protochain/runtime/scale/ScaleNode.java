package dev.protochain.runtime.scale;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.Protocol;
import dev.protochain.api.Session;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.layers.filter.FilterLayer;
import dev.protochain.layers.ratelimit.RateLimitLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * One JVM of {@link ScaleIT}: a server echoing over {@code [ratelimit, filter, coalesce, tcp4]}, or
 * a client holding {@code N} chain sockets over the same chain, one startup each, on one virtual
 * thread per connection. Each writes {@code key=value} lines to its report file.
 *
 * <p>{@code server REPORT PORTFILE} serves until its standard input ends; {@code client REPORT PORT
 * N ROUNDS SIZE HOLDMILLIS} exits when every connection is done.
 */
public final class ScaleNode {

  private ScaleNode() {}

  public static void main(String[] args) throws Exception {
    Path report = Path.of(args[1]);
    Map<String, String> out = new LinkedHashMap<>();
    try {
      if (args[0].equals("server")) {
        server(Path.of(args[2]), out);
      } else {
        client(
            Integer.parseInt(args[2]),
            Integer.parseInt(args[3]),
            Integer.parseInt(args[4]),
            Integer.parseInt(args[5]),
            Long.parseLong(args[6]),
            out);
      }
    } catch (Throwable t) {
      out.put("failure", String.valueOf(t).replace('\n', ' '));
      t.printStackTrace();
    }
    StringBuilder text = new StringBuilder();
    out.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Files.writeString(report, text.toString(), StandardCharsets.UTF_8);
    System.exit(out.containsKey("failure") ? 1 : 0);
  }

  /** The catalog of both ends: the chain is the first INET/STREAM/TCP entry. */
  static Catalog catalog() {
    return Catalog.builtin()
        .installLayer("coalesce", id(CoalesceLayer.class), Map.of("delay", "0"), List.of(1001))
        .installLayer("filter", id(FilterLayer.class), Map.of(), List.of(3001))
        .installLayer("ratelimit", id(RateLimitLayer.class), Map.of(), List.of(3002));
  }

  private static UUID id(Class<?> layer) {
    return UUID.fromString(layer.getAnnotation(ProviderInfo.class).id());
  }

  private static Session startup(ChainRuntime runtime) throws IOException {
    return runtime.startup(AddressFamily.INET, SocketType.STREAM, Protocol.TCP);
  }

  /* ---- server ---- */

  private static void server(Path portFile, Map<String, String> out) throws Exception {
    Sampler sampler = new Sampler();
    AtomicInteger errors = new AtomicInteger();
    Set<ChainSocket> open = ConcurrentHashMap.newKeySet();
    try (ChainRuntime runtime =
        ChainRuntime.builder().name("scale-server").catalog(catalog()).build()) {
      Session session = startup(runtime);
      ChainSocket listener = session.open();
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      listener.listen(16384);
      Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
      Files.writeString(
          tmp, String.valueOf(((InetSocketAddress) listener.localAddress()).getPort()));
      Files.move(tmp, portFile);
      Thread acceptor =
          new Thread(
              () -> {
                while (true) {
                  ChainSocket s;
                  try {
                    s = listener.accept();
                  } catch (IOException e) {
                    return; // closed at the end
                  }
                  open.add(s);
                  runtime
                      .threadFactory()
                      .newThread(
                          () -> {
                            try {
                              echo(s);
                            } catch (IOException e) {
                              errors.incrementAndGet();
                              System.err.println("echo failed: " + e);
                            } finally {
                              closeQuietly(s);
                              open.remove(s);
                            }
                          })
                      .start();
                }
              },
              "scale-acceptor");
      acceptor.start();
      sampler.start();
      // Serve until the test closes our standard input.
      InputStream in = System.in;
      while (in.read() >= 0) {
        // keep serving
      }
      sampler.stop();
      listener.close();
      acceptor.join(10_000);
      for (ChainSocket s : open) {
        closeQuietly(s);
      }
      session.close();
      out.put("errors", String.valueOf(errors.get()));
      out.put("peakPlatformThreads", String.valueOf(sampler.peakThreads()));
      out.put("counts", runtime.counts().toString());
      out.put(
          "countsZero", String.valueOf(runtime.counts().values().stream().allMatch(c -> c == 0)));
    }
    out.put("protochainThreadsLeft", protochainThreads());
  }

  private static void echo(ChainSocket s) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(8192);
    while (true) {
      buf.clear();
      int n = s.receive(buf);
      if (n < 0) {
        return;
      }
      buf.flip();
      s.sendFully(buf);
      s.flush();
    }
  }

  /* ---- client ---- */

  private static void client(
      int port, int n, int rounds, int size, long holdMillis, Map<String, String> out)
      throws Exception {
    Sampler sampler = new Sampler();
    AtomicInteger errors = new AtomicInteger();
    AtomicLong verified = new AtomicLong();
    List<String> firstErrors = new ArrayList<>();
    CountDownLatch connected = new CountDownLatch(n);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(n);
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
    try (ChainRuntime runtime =
        ChainRuntime.builder().name("scale-client").catalog(catalog()).build()) {
      sampler.start();
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        int connection = i;
        runtime
            .threadFactory()
            .newThread(
                () -> {
                  try (Session session = startup(runtime);
                      ChainSocket socket = session.open()) {
                    try {
                      socket.connect(server);
                    } finally {
                      connected.countDown();
                    }
                    go.await();
                    byte[] sent = new byte[size];
                    ByteBuffer back = ByteBuffer.allocate(size);
                    for (int r = 0; r < rounds; r++) {
                      Arrays.fill(sent, (byte) (connection * 31 + r));
                      socket.sendFully(ByteBuffer.wrap(sent));
                      socket.flush();
                      back.clear();
                      if (!socket.receiveFully(back)) {
                        throw new IOException("end of stream after " + r + " echoes");
                      }
                      if (!Arrays.equals(sent, back.array())) {
                        throw new IOException(
                            "echo " + r + " of connection " + connection + " differs");
                      }
                      verified.incrementAndGet();
                    }
                    socket.shutdownOutput();
                  } catch (Exception e) {
                    errors.incrementAndGet();
                    synchronized (firstErrors) {
                      if (firstErrors.size() < 5) {
                        firstErrors.add(String.valueOf(e));
                      }
                    }
                  } finally {
                    done.countDown();
                  }
                })
            .start();
      }
      if (!connected.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException(connected.getCount() + " connections never connected");
      }
      long connectNanos = System.nanoTime() - start;
      sampler.resetPeak();
      Thread.sleep(holdMillis);
      out.put("plateauPlatformThreads", String.valueOf(sampler.peakThreads()));
      out.put("plateauRssKiB", String.valueOf(rssKiB()));
      out.put("countsWhileHolding", String.valueOf(new java.util.TreeMap<>(runtime.counts())));
      long echoStart = System.nanoTime();
      go.countDown();
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException(done.getCount() + " connections never finished");
      }
      long echoNanos = System.nanoTime() - echoStart;
      sampler.stop();
      out.put("connections", String.valueOf(n));
      out.put("connectMillis", String.valueOf(TimeUnit.NANOSECONDS.toMillis(connectNanos)));
      out.put("echoMillis", String.valueOf(TimeUnit.NANOSECONDS.toMillis(echoNanos)));
      out.put("errors", String.valueOf(errors.get()));
      out.put("firstErrors", String.join(" | ", firstErrors));
      out.put("verifiedEchoes", String.valueOf(verified.get()));
      out.put("peakPlatformThreads", String.valueOf(sampler.peakThreads()));
      out.put("counts", runtime.counts().toString());
      out.put(
          "countsZero", String.valueOf(runtime.counts().values().stream().allMatch(c -> c == 0)));
    }
    out.put("protochainThreadsLeft", protochainThreads());
  }

  /* ---- measuring ---- */

  /** Names of live threads protochain started (all of them are named {@code protochain-*}). */
  private static String protochainThreads() throws InterruptedException {
    String names = "";
    for (int i = 0; i < 100; i++) { // threads end asynchronously after the runtime closed
      names =
          Thread.getAllStackTraces().keySet().stream()
              .filter(Thread::isAlive)
              .map(Thread::getName)
              .filter(name -> name.startsWith("protochain"))
              .sorted()
              .collect(Collectors.joining(","));
      if (names.isEmpty()) {
        break;
      }
      Thread.sleep(50);
    }
    return names;
  }

  private static long rssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static void closeQuietly(ChainSocket s) {
    try {
      s.close();
    } catch (IOException e) {
      // the peer went first; nothing left to deliver
    }
  }

  /** Samples the JVM's platform thread count (virtual threads are not counted) every 20 ms. */
  private static final class Sampler {
    private final AtomicInteger peak = new AtomicInteger();
    private volatile boolean running = true;
    private final Thread thread =
        new Thread(
            () -> {
              var bean = ManagementFactory.getThreadMXBean();
              while (running) {
                peak.accumulateAndGet(bean.getThreadCount(), Math::max);
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "scale-sampler");

    void start() {
      thread.setDaemon(true);
      thread.start();
    }

    void resetPeak() {
      peak.set(0);
    }

    int peakThreads() {
      return peak.get();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }
  }
}
