package dev.protochain.benchmarks;

import dev.protochain.runtime.scale.ScaleNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * The {@code scale} part: many connections at once, each a blocking echo client, between a server
 * JVM and a client JVM of each contender, on JDK 21 or later ({@code JAVA25_HOME}, else this JVM if
 * it has virtual threads). The contenders: protochain over {@code [ratelimit, filter, coalesce,
 * tcp4]} on one virtual thread per connection ({@link ScaleNode}, the nodes of {@code ScaleIT}),
 * raw blocking {@code SocketChannel}s on one virtual thread per connection, and Netty 4.2 NIO with
 * three pass-through handlers ({@link ScaleNodes}); at 1,000 and 10,000 connections. And at 100
 * connections, protochain on platform threads against protochain on virtual threads. Each
 * connection is opened, all are held for a second, then each does its echoes of 1 KiB with their
 * content checked and closes. Measures: round trips per second over the echoes, the p99 of a round
 * trip, the client's resident memory per connection held (after a GC, over the figure before
 * connecting, which every contender takes after one warm connection opened, used and closed: see
 * {@link ScaleNode#baseline}) and the total time (connecting, echoes and closes; the warm
 * connection is not in it).
 */
final class ScaleBenchmark {

  private static final int SIZE = 1024;
  private static final long HOLD_MILLIS = 1_000;
  private static final int MOST = 10_000;

  /** A contender: the main class of its nodes, the arguments before theirs, its JVM options. */
  private record Contender(String name, String mainClass, List<String> prefix, List<String> jvm) {}

  private static final Contender PROTOCHAIN =
      new Contender("protochain", ScaleNode.class.getName(), List.of(), List.of());
  private static final Contender PLATFORM =
      new Contender(
          "protochain (platform threads)",
          ScaleNode.class.getName(),
          List.of(),
          List.of("-Dprotochain.scale.threads=platform"));
  private static final Contender NIO =
      new Contender("raw NIO", ScaleNodes.class.getName(), List.of("nio"), List.of());
  private static final Contender NETTY =
      new Contender("Netty", ScaleNodes.class.getName(), List.of("netty"), List.of());

  /** One run's figures: round trips/s, p99 in us, KiB per connection, total ms. */
  private record Figures(
      double perSecond, double p99, double kibPerConnection, double totalMillis) {}

  private final String java;
  private final Path dir;

  private ScaleBenchmark(String java, Path dir) {
    this.java = java;
    this.dir = dir;
  }

  static void run(Report report, boolean quick) throws Exception {
    long limit = ScaleNode.openFileLimit();
    if (limit < MOST + 2_000L) {
      throw new IllegalStateException(
          "the scale part holds "
              + MOST
              + " connections in each of two JVMs: the open file limit (ulimit -n) is "
              + limit
              + ", it needs "
              + (MOST + 2_000)
              + " (benchmarks/run raises it up to the hard limit, ulimit -Hn; as root: ulimit -n"
              + " 65536)");
    }
    Path dir = Files.createTempDirectory("protochain-bench-scale");
    try {
      new ScaleBenchmark(java(), dir).measure(report, quick);
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Returns the java launcher of a JDK with virtual threads. */
  private static String java() {
    String home = System.getenv("JAVA25_HOME");
    if (home == null || home.isEmpty()) {
      if (Runtime.version().feature() < 21) {
        throw new IllegalStateException(
            "the scale part needs virtual threads (JDK 21 or later) and this is JDK "
                + Runtime.version()
                + ": set JAVA25_HOME (benchmarks/run finds an installed JDK 25 itself)");
      }
      home = System.getProperty("java.home");
    }
    Path java = Path.of(home, "bin", "java");
    if (!Files.isExecutable(java)) {
      throw new IllegalStateException("JAVA25_HOME holds no bin/java: " + home);
    }
    return java.toString();
  }

  private void measure(Report report, boolean quick) throws Exception {
    int rounds = quick ? 2 : 5;
    int[] counts = {1_000, MOST};
    List<Contender> three = List.of(PROTOCHAIN, NIO, NETTY);
    Map<String, List<Figures>> results = new LinkedHashMap<>();
    // A round not counted would cost minutes; the first counted round's JVMs are fresh anyway,
    // as every run's are.
    for (int round = 0; round < rounds; round++) {
      for (int count : counts) {
        for (int k = 0; k < three.size(); k++) {
          Contender c = three.get((round + k) % three.size()); // alternate who goes first
          results
              .computeIfAbsent(c.name() + " " + count, x -> new ArrayList<>())
              .add(once(c, count, 20));
        }
      }
      List<Contender> low =
          round % 2 == 0 ? List.of(PROTOCHAIN, PLATFORM) : List.of(PLATFORM, PROTOCHAIN);
      for (Contender c : low) {
        results.computeIfAbsent(c.name() + " 100", x -> new ArrayList<>()).add(once(c, 100, 200));
      }
      report.progress(String.format(Locale.ROOT, "scale round %d of %d done", round + 1, rounds));
    }
    for (int count : counts) {
      List<Figures> p = results.get(PROTOCHAIN.name() + " " + count);
      List<Figures> nio = results.get(NIO.name() + " " + count);
      List<Figures> netty = results.get(NETTY.name() + " " + count);
      boolean goals = count == MOST;
      String n = String.format(Locale.ROOT, "%,d", count);
      rows(
          report,
          n + " connections",
          "Netty NIO (" + ScaleNodes.HANDLERS + " handlers)",
          p,
          netty,
          goals ? 0.90 : Double.NaN,
          goals ? 1.5 : Double.NaN,
          Double.NaN);
      rows(
          report,
          n + " connections",
          "raw NIO (virtual threads)",
          p,
          nio,
          Double.NaN,
          Double.NaN,
          goals ? 1.3 : Double.NaN);
    }
    rows(
        report,
        "100 connections, virtual threads",
        "platform threads",
        results.get(PROTOCHAIN.name() + " 100"),
        results.get(PLATFORM.name() + " 100"),
        Double.NaN,
        Double.NaN,
        Double.NaN);
  }

  /** The rows of protochain against one baseline; a limit that is NaN makes its row information. */
  private static void rows(
      Report report,
      String what,
      String baseline,
      List<Figures> mine,
      List<Figures> base,
      double perSecondAtLeast,
      double memoryAtMost,
      double totalAtMost) {
    String vs = "scale " + what + ", protochain vs " + baseline;
    row(
        report,
        vs + ": round trips/s",
        mine,
        base,
        Figures::perSecond,
        "%.0f /s",
        1,
        perSecondAtLeast,
        true);
    row(
        report,
        vs + ": round trip p99",
        mine,
        base,
        Figures::p99,
        "%.1f ms",
        1e-3,
        Double.NaN,
        false);
    row(
        report,
        vs + ": memory per connection",
        mine,
        base,
        Figures::kibPerConnection,
        "%.1f KiB",
        1,
        memoryAtMost,
        false);
    row(
        report,
        vs + ": total time",
        mine,
        base,
        Figures::totalMillis,
        "%.2f s",
        1e-3,
        totalAtMost,
        false);
  }

  /** One measure's row: {@code format} shows its median times {@code unit}. */
  private static void row(
      Report report,
      String measure,
      List<Figures> mine,
      List<Figures> base,
      ToDoubleFunction<Figures> f,
      String format,
      double unit,
      double limit,
      boolean atLeast) {
    List<Double> a = column(mine, f);
    List<Double> b = column(base, f);
    report.roundsRow(
        measure,
        Report.figure(a, format, unit),
        Report.figure(b, format, unit),
        a,
        b,
        limit,
        atLeast);
  }

  private static List<Double> column(List<Figures> figures, ToDoubleFunction<Figures> f) {
    List<Double> out = new ArrayList<>();
    for (Figures x : figures) {
      out.add(f.applyAsDouble(x));
    }
    return out;
  }

  /** Runs one contender's server and client JVMs once; returns the client's figures. */
  private Figures once(Contender c, int connections, int echoes) throws Exception {
    Path run = Files.createTempDirectory(dir, "run");
    Path serverReport = run.resolve("server.txt");
    Path clientReport = run.resolve("client.txt");
    Path portFile = run.resolve("port");
    Path serverLog = run.resolve("server.log");
    Path clientLog = run.resolve("client.log");
    String cp = System.getProperty("java.class.path");
    List<String> args = new ArrayList<>(c.prefix());
    args.addAll(List.of("server", serverReport.toString(), portFile.toString()));
    Process server = ScaleNode.start(java, c.jvm(), cp, c.mainClass(), serverLog, args);
    Process client = null;
    try {
      String port = ScaleNode.awaitPort(server, portFile, serverLog);
      args = new ArrayList<>(c.prefix());
      args.addAll(
          List.of(
              "client",
              clientReport.toString(),
              port,
              String.valueOf(connections),
              String.valueOf(echoes),
              String.valueOf(SIZE),
              String.valueOf(HOLD_MILLIS)));
      client = ScaleNode.start(java, c.jvm(), cp, c.mainClass(), clientLog, args);
      if (!client.waitFor(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException(c.name() + ": the client did not finish");
      }
    } finally {
      ScaleNode.stop(server, client);
    }
    Map<String, String> r = ScaleNode.report(clientReport, clientLog);
    long expected = (long) connections * echoes;
    if (r.containsKey("failure")
        || !"0".equals(r.get("errors"))
        || !String.valueOf(expected).equals(r.get("verifiedEchoes"))) {
      throw new IllegalStateException(c.name() + " at " + connections + " connections: " + r);
    }
    double echoMillis = Math.max(1, Long.parseLong(r.get("echoMillis")));
    return new Figures(
        expected / (echoMillis / 1000),
        Double.parseDouble(r.get("p99Micros")),
        (Long.parseLong(r.get("plateauRssKiB")) - Long.parseLong(r.get("baseRssKiB")))
            / (double) connections,
        Long.parseLong(r.get("connectMillis")) + echoMillis);
  }
}
