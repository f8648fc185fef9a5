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
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
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
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One JVM of {@link ScaleIT}: a server echoing over {@code [ratelimit, filter, coalesce, tcp4]}, or
 * a client holding {@code N} chain sockets over the same chain, one startup each, on one thread per
 * connection (the runtime's: virtual threads where the JDK has them). Each writes {@code key=value}
 * lines to its report file.
 *
 * <p>{@code server REPORT PORTFILE} serves until its standard input ends; {@code client REPORT PORT
 * N ROUNDS SIZE HOLDMILLIS} exits when every connection is done. With {@code
 * -Dprotochain.scale.threads=platform} both run on platform threads instead.
 *
 * <p>The rest is what every scale node shares, and the benchmarks' {@code scale} part reuses for
 * its raw NIO and Netty nodes: the report file ({@link #run}), the server's port file and stop
 * ({@link #writePort}, {@link #serveUntilInputEnds}), the client that holds {@code N} blocking
 * connections and then drives their echoes ({@link #drive}), the measures (platform threads,
 * resident memory, round-trip times) and the starting and reading of node JVMs ({@link #start},
 * {@link #awaitPort}, {@link #stop}, {@link #report}).
 */
public final class ScaleNode {

  private ScaleNode() {}

  /** A blocking connection of a client node, driven by {@link #drive}. */
  public interface Connection extends Closeable {
    /** Sends all of {@code src} and flushes it. */
    void sendFully(ByteBuffer src) throws IOException;

    /** Fills {@code dst}; returns {@code false} at the end of the stream. */
    boolean receiveFully(ByteBuffer dst) throws IOException;

    void shutdownOutput() throws IOException;
  }

  /** Opens one connection of a client node to the server node. */
  public interface Dialer {
    Connection connect(InetSocketAddress server) throws IOException;
  }

  /** What a node does, writing its measures into {@code out}. */
  public interface Body {
    void run(Map<String, String> out) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    boolean platform = "platform".equals(System.getProperty("protochain.scale.threads"));
    run(
        Path.of(args[1]),
        out -> {
          if (args[0].equals("server")) {
            server(Path.of(args[2]), platform, out);
          } else {
            client(
                Integer.parseInt(args[2]),
                Integer.parseInt(args[3]),
                Integer.parseInt(args[4]),
                Integer.parseInt(args[5]),
                Long.parseLong(args[6]),
                platform,
                out);
          }
        });
  }

  /**
   * Runs a node's {@code body}, writes what it measured to {@code report} and exits the JVM: status
   * 1, with a {@code failure} line, when the body threw.
   */
  public static void run(Path report, Body body) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      body.run(out);
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

  private static ChainRuntime runtime(String name, boolean platform) throws Exception {
    ChainRuntime.Builder builder = ChainRuntime.builder().name(name).catalog(catalog());
    if (platform) {
      builder.threadFactory(Thread::new);
    }
    return builder.build();
  }

  /** The startup of each connection (and of {@link ConnectionCost}'s). */
  static Session startup(ChainRuntime runtime) throws IOException {
    return runtime.startup(AddressFamily.INET, SocketType.STREAM, Protocol.TCP);
  }

  /* ---- server ---- */

  private static void server(Path portFile, boolean platform, Map<String, String> out)
      throws Exception {
    Sampler sampler = new Sampler();
    AtomicInteger errors = new AtomicInteger();
    Set<ChainSocket> open = ConcurrentHashMap.newKeySet();
    try (ChainRuntime runtime = runtime("scale-server", platform)) {
      Session session = startup(runtime);
      ChainSocket listener = session.open();
      // Each connection it accepts inherits TCP_NODELAY, as the raw NIO and Netty servers of the
      // benchmarks' scale part set it on theirs: the same sockets on the wire for every contender.
      listener.setOption(StandardSocketOptions.TCP_NODELAY, true);
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      listener.listen(16384);
      writePort(portFile, ((InetSocketAddress) listener.localAddress()).getPort());
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
      serveUntilInputEnds();
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

  /** Publishes a server's port for the process that started it (atomically: whole or absent). */
  public static void writePort(Path portFile, int port) throws IOException {
    Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
    Files.writeString(tmp, String.valueOf(port));
    Files.move(tmp, portFile);
  }

  /** Returns when the process that started this server closes its standard input. */
  public static void serveUntilInputEnds() throws IOException {
    InputStream in = System.in;
    while (in.read() >= 0) {
      // keep serving
    }
  }

  /* ---- client ---- */

  private static void client(
      int port,
      int n,
      int rounds,
      int size,
      long holdMillis,
      boolean platform,
      Map<String, String> out)
      throws Exception {
    try (ChainRuntime runtime = runtime("scale-client", platform)) {
      Dialer dialer =
          server -> {
            Session session = startup(runtime);
            ChainSocket socket;
            try {
              socket = session.open();
              socket.connect(server);
              socket.setOption(StandardSocketOptions.TCP_NODELAY, true); // as the others do
            } catch (IOException | RuntimeException e) {
              session.close();
              throw e;
            }
            return new Connection() {
              @Override
              public void sendFully(ByteBuffer src) throws IOException {
                socket.sendFully(src);
                socket.flush();
              }

              @Override
              public boolean receiveFully(ByteBuffer dst) throws IOException {
                return socket.receiveFully(dst);
              }

              @Override
              public void shutdownOutput() throws IOException {
                socket.shutdownOutput();
              }

              @Override
              public void close() throws IOException {
                try (session) {
                  socket.close();
                }
              }
            };
          };
      // The client holds one startup of its own for the whole run, as a process serving
      // connections does (a server its listening session): its providers stay loaded from the warm
      // connection on, so what the baseline leaves out is what a process pays once, as Netty's
      // event loops and pooled buffers stay after its warm connection.
      Session resident = startup(runtime);
      try {
        drive(
            dialer,
            runtime.threadFactory(),
            port,
            n,
            rounds,
            size,
            holdMillis,
            plateau ->
                plateau.put("countsWhileHolding", String.valueOf(new TreeMap<>(runtime.counts()))),
            out);
      } finally {
        resident.close();
      }
      out.put("counts", runtime.counts().toString());
      out.put(
          "countsZero", String.valueOf(runtime.counts().values().stream().allMatch(c -> c == 0)));
    }
    out.put("protochainThreadsLeft", protochainThreads());
  }

  /**
   * The client of every scale node: opens {@code n} connections to {@code 127.0.0.1:port}, one
   * thread of {@code threads} each, holds them all open for {@code holdMillis}, then lets each do
   * {@code rounds} echoes of {@code size} bytes with their content checked, shut its output down
   * and close. Measures, into {@code out}: {@code warmMillis} and {@code baseRssKiB} (see {@link
   * #baseline}: one warm connection first, then the figure before connecting), {@code
   * plateauRssKiB} and {@code plateauPlatformThreads} (while holding; {@code atPlateau} may add
   * more), {@code connectMillis}, {@code echoMillis} (echoes and closes), {@code errors}, {@code
   * firstErrors}, {@code verifiedEchoes}, {@code p50Micros}, {@code p99Micros} (of every round
   * trip) and {@code peakPlatformThreads}. Resident memory is read after a garbage collection, so
   * that it counts what the connections keep rather than the garbage opening them left.
   */
  public static void drive(
      Dialer dialer,
      ThreadFactory threads,
      int port,
      int n,
      int rounds,
      int size,
      long holdMillis,
      Consumer<Map<String, String>> atPlateau,
      Map<String, String> out)
      throws Exception {
    Sampler sampler = new Sampler();
    AtomicInteger errors = new AtomicInteger();
    AtomicLong verified = new AtomicLong();
    long[] roundTrips = new long[n * rounds];
    List<String> firstErrors = new ArrayList<>();
    CountDownLatch connected = new CountDownLatch(n);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(n);
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
    sampler.start();
    baseline(() -> warmConnection(dialer, threads, server, size), out);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      int connection = i;
      threads
          .newThread(
              () -> {
                Connection socket = null;
                try {
                  try {
                    socket = dialer.connect(server);
                  } finally {
                    connected.countDown();
                  }
                  go.await();
                  echoes(socket, connection, rounds, size, roundTrips, verified);
                } catch (Exception e) {
                  errors.incrementAndGet();
                  synchronized (firstErrors) {
                    if (firstErrors.size() < 5) {
                      firstErrors.add(String.valueOf(e));
                    }
                  }
                } finally {
                  try {
                    if (socket != null) {
                      socket.close();
                    }
                  } catch (IOException e) {
                    errors.incrementAndGet();
                  }
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
    out.put("plateauRssKiB", String.valueOf(rssAfterGcKiB()));
    atPlateau.accept(out);
    long echoStart = System.nanoTime();
    go.countDown();
    if (!done.await(10, TimeUnit.MINUTES)) {
      throw new IllegalStateException(done.getCount() + " connections never finished");
    }
    long echoNanos = System.nanoTime() - echoStart;
    sampler.stop();
    recordEchoes(out, n, connectNanos, echoNanos, roundTrips);
    out.put("errors", String.valueOf(errors.get()));
    out.put("firstErrors", String.join(" | ", firstErrors));
    out.put("verifiedEchoes", String.valueOf(verified.get()));
    out.put("peakPlatformThreads", String.valueOf(sampler.peakThreads()));
  }

  /**
   * One connection's echoes: {@code rounds} of {@code size} bytes, each filled with one value and
   * checked as it returns, its round-trip time in nanoseconds at {@code roundTrips[connection *
   * rounds + round]}; then its output shut down.
   */
  private static void echoes(
      Connection socket,
      int connection,
      int rounds,
      int size,
      long[] roundTrips,
      AtomicLong verified)
      throws IOException {
    byte[] sent = new byte[size];
    ByteBuffer back = ByteBuffer.allocate(size);
    for (int r = 0; r < rounds; r++) {
      Arrays.fill(sent, (byte) (connection * 31 + r));
      long t0 = System.nanoTime();
      socket.sendFully(ByteBuffer.wrap(sent));
      back.clear();
      if (!socket.receiveFully(back)) {
        throw new IOException("end of stream after " + r + " echoes");
      }
      roundTrips[connection * rounds + r] = System.nanoTime() - t0;
      if (!Arrays.equals(sent, back.array())) {
        throw new IOException("echo " + r + " of connection " + connection + " differs");
      }
      verified.incrementAndGet();
    }
    socket.shutdownOutput();
  }

  /** Opens one connection on a thread of {@code threads}, does one echo and closes it. */
  private static void warmConnection(
      Dialer dialer, ThreadFactory threads, InetSocketAddress server, int size) throws Exception {
    Exception[] failed = new Exception[1];
    Thread t =
        threads.newThread(
            () -> {
              try (Connection socket = dialer.connect(server)) {
                echoes(socket, 0, 1, size, new long[1], new AtomicLong());
              } catch (Exception e) {
                failed[0] = e;
              }
            });
    t.start();
    t.join();
    if (failed[0] != null) {
      throw new IOException("the warm connection failed", failed[0]);
    }
  }

  /** One connection of a client node opened, used and closed, before its baseline. */
  public interface WarmConnection {
    void run() throws Exception;
  }

  /**
   * The baseline of every client node, the same rule for all: first {@code warm}, one connection
   * opened, used for one echo and closed the way the measured ones will be, then {@code
   * baseRssKiB}, the resident memory after a collection. So what the first connection of a process
   * loads once (classes, compiled code, a chain's providers, an event loop's or a scheduler's
   * threads) is in the baseline, and the memory a connection costs is what each further one adds.
   * Writes {@code warmMillis} (the warm connection's time, outside the measured connects) too.
   */
  public static void baseline(WarmConnection warm, Map<String, String> out) throws Exception {
    long t0 = System.nanoTime();
    warm.run();
    out.put("warmMillis", String.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)));
    out.put("baseRssKiB", String.valueOf(rssAfterGcKiB()));
  }

  /**
   * Writes the timing measures of {@link #drive} (for a client that drives its echoes its own way):
   * {@code connections}, {@code connectMillis}, {@code echoMillis}, {@code p50Micros}, {@code
   * p99Micros}; {@code roundTrips} are nanoseconds, zero where none was measured.
   */
  public static void recordEchoes(
      Map<String, String> out, int n, long connectNanos, long echoNanos, long[] roundTrips) {
    out.put("connections", String.valueOf(n));
    out.put("connectMillis", String.valueOf(TimeUnit.NANOSECONDS.toMillis(connectNanos)));
    out.put("echoMillis", String.valueOf(TimeUnit.NANOSECONDS.toMillis(echoNanos)));
    long[] measured = Arrays.stream(roundTrips).filter(t -> t > 0).sorted().toArray();
    out.put("p50Micros", String.valueOf(percentile(measured, 50) / 1000.0));
    out.put("p99Micros", String.valueOf(percentile(measured, 99) / 1000.0));
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, i)];
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

  /** Returns the resident memory of this JVM (VmRSS) after a garbage collection, in KiB. */
  public static long rssAfterGcKiB() throws IOException, InterruptedException {
    System.gc();
    Thread.sleep(100);
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
  public static final class Sampler {
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

    public void start() {
      thread.setDaemon(true);
      thread.start();
    }

    public void resetPeak() {
      peak.set(0);
    }

    public int peakThreads() {
      return peak.get();
    }

    public void stop() throws InterruptedException {
      running = false;
      thread.join();
    }
  }

  /* ---- starting and reading nodes ---- */

  /**
   * Starts a node JVM: {@code java} (a path), {@code -Xmx1g} and {@code jvmOptions}, {@code
   * classPath}, {@code mainClass} and {@code args}; its output goes to {@code log}.
   */
  public static Process start(
      String java,
      List<String> jvmOptions,
      String classPath,
      String mainClass,
      Path log,
      List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx1g");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** Waits up to a minute for a server node to publish its port; returns it. */
  public static String awaitPort(Process server, Path portFile, Path log)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(portFile)) {
      if (!server.isAlive()) {
        throw new IllegalStateException("the server exited: " + tail(log));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the server never listened: " + tail(log));
      }
      Thread.sleep(20);
    }
    return Files.readString(portFile).trim();
  }

  /** Ends a server node (closing its standard input) and, if still running, a client node. */
  public static void stop(Process server, Process client) throws InterruptedException {
    try (OutputStream stop = server.getOutputStream()) {
      stop.write('\n'); // closing standard input ends the server
    } catch (IOException e) {
      // it already exited; its report says why
    }
    if (!server.waitFor(60, TimeUnit.SECONDS)) {
      server.destroyForcibly();
    }
    if (client != null && client.isAlive()) {
      client.destroyForcibly();
    }
  }

  /** Reads a node's report; without one, fails with the end of its log. */
  public static Map<String, String> report(Path file, Path log) throws IOException {
    if (!Files.exists(file)) {
      throw new IllegalStateException("no report " + file.getFileName() + "; log:\n" + tail(log));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      out.put(line.substring(0, eq), line.substring(eq + 1));
    }
    return out;
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no log)";
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** Returns this process's open file limit (the soft one, as {@code ulimit -n} shows). */
  public static long openFileLimit() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+", -1)[0];
        return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
      }
    }
    throw new IOException("no 'Max open files' line in /proc/self/limits");
  }
}
