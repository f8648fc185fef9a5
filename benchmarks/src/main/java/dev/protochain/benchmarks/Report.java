package dev.protochain.benchmarks;

import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LauncherDefaults;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark and prints one table: measure, protochain, baseline, ratio, goal, pass or
 * fail. Each ratio compares two runs of the same invocation. Run: {@code benchmarks/run [--quick]}.
 */
public final class Report {

  /**
   * The most pass-through layers a chain can hold: the catalog allows chains of at most 7 entries
   * (Winsock's MAX_PROTOCOL_CHAIN), the base included. Every "deepest" measure uses this many
   * layers, and the baselines the same number of decorators or Netty handlers.
   */
  static final int DEEPEST = 6;

  private final boolean quick;
  private final Set<String> parts;
  private final PrintStream out;
  private final List<String[]> rows = new ArrayList<>();

  private Report(boolean quick, Set<String> parts, PrintStream out) {
    this.quick = quick;
    this.parts = parts;
    this.out = out;
  }

  /**
   * Runs the report: {@code --quick} for a run of a few minutes with wider error; {@code --only
   * jmh,tcp,compare,websocket,holding,jfr,agent,scale,startup} for some of the parts (to profile
   * one, say).
   */
  public static void main(String[] args) throws Exception {
    LauncherDefaults.apply();
    boolean quick = false;
    Set<String> parts = new LinkedHashSet<>(PARTS);
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--quick")) {
        quick = true;
      } else if (args[i].equals("--only") && i + 1 < args.length) {
        parts = new LinkedHashSet<>(List.of(args[++i].split(",")));
        if (!PARTS.containsAll(parts)) {
          usage("--only takes some of " + String.join(",", PARTS) + ", not '" + args[i] + "'");
        }
      } else {
        usage("unknown argument '" + args[i] + "'");
      }
    }
    new Report(quick, parts, System.out).run();
  }

  private static final List<String> PARTS =
      List.of("jmh", "tcp", "compare", "websocket", "holding", "jfr", "agent", "scale", "startup");

  private static void usage(String problem) {
    System.err.println(
        "benchmarks/run: "
            + problem
            + "\nusage: benchmarks/run [--quick] [--only "
            + String.join(",", PARTS)
            + "]");
    System.exit(2);
  }

  private void run() throws Exception {
    long start = System.nanoTime();
    out.println(
        "protochain benchmarks" + (quick ? " (quick: wider error)" : "") + " on " + machine());
    if (parts.contains("jmh")) {
      jmh();
    }
    if (parts.contains("tcp")) {
      tcp();
    }
    if (parts.contains("compare")) {
      Comparisons.tlsAndDeflate(this, quick);
    }
    if (parts.contains("websocket")) {
      WebSocketComparison.run(this, quick);
    }
    if (parts.contains("holding")) {
      holding();
    }
    if (parts.contains("jfr")) {
      JfrOverhead.run(this, quick);
    }
    if (parts.contains("agent")) {
      AgentComparison.run(this, quick);
    }
    if (parts.contains("scale")) {
      ScaleBenchmark.run(this, quick);
    }
    if (parts.contains("startup")) {
      StartupComparison.run(this, quick);
    }
    out.println();
    print();
    out.println(
        "± after a JMH figure: its 99.9% confidence half-width; after a figure of rounds (MiB/s, us): the"
            + " interquartile range of the rounds over their median. A ratio of rounds is the median of the"
            + " rounds' own ratios, the lowest and highest of them in brackets (for JMH rows, the range"
            + " the two confidence intervals allow); a range holding 1.0 is parity.");
    out.printf(
        Locale.ROOT,
        "%nfinished in %d s%n",
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
  }

  /* ---- JMH ---- */

  /** Returns the JMH options of the report; its forked JVMs get the launchers' defaults. */
  static ChainedOptionsBuilder jmhOptions(boolean quick) {
    // One list: each jvmArgsAppend call replaces what an earlier one gave.
    List<String> jvmArgs = new ArrayList<>(List.of("-Xmx1g"));
    jvmArgs.addAll(List.of(LauncherDefaults.jvmOptions()));
    jvmArgs.addAll(List.of(jmhUnsafeOptions(Runtime.version().feature())));
    String plugin = System.getProperty("protochain.plugin");
    if (plugin != null) {
      jvmArgs.add("-Dprotochain.plugin=" + plugin);
    }
    return new OptionsBuilder()
        .include(SendReceiveBenchmark.class.getSimpleName())
        .include(StartupCleanupBenchmark.class.getSimpleName())
        .include(PluginLoadBenchmark.class.getSimpleName())
        .forks(quick ? 1 : 3)
        .warmupIterations(quick ? 2 : 5)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(quick ? 3 : 8)
        .measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend(jvmArgs.toArray(String[]::new))
        .shouldFailOnError(true);
  }

  /**
   * Returns the options that let JMH's forks (of this JDK, feature release {@code feature}) call
   * {@code sun.misc.Unsafe} quietly: JDK 24 and newer warn on standard error at its first use
   * ({@code org.openjdk.jmh.util.Utils}); the option came in JDK 23, and JDK 17 refuses it. {@code
   * benchmarks/run} gives it to this JVM the same way.
   */
  static String[] jmhUnsafeOptions(int feature) {
    return feature >= 23 ? new String[] {"--sun-misc-unsafe-memory-access=allow"} : new String[0];
  }

  private void jmh() throws Exception {
    Collection<RunResult> results = new Runner(jmhOptions(quick).build()).run();
    Map<String, double[]> scores = new LinkedHashMap<>();
    for (RunResult r : results) {
      String bench = r.getParams().getBenchmark().replaceAll(".*\\.", "");
      StringBuilder key = new StringBuilder(bench);
      for (String p : r.getParams().getParamsKeys()) {
        key.append(' ').append(p).append('=').append(r.getParams().getParam(p));
      }
      scores.put(
          key.toString(),
          new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
    }
    for (int depth : new int[] {0, 1, 3, DEEPEST}) {
      double[] chain = scores.get("sendReceive depth=" + depth + " kind=chain");
      double[] plain = scores.get("sendReceive depth=" + depth + " kind=decorators");
      String measure =
          "send+receive 64 B, "
              + depth
              + " pass-through layers vs "
              + depth
              + " hand-written decorators (in memory)";
      row(
          measure,
          ns(chain),
          ns(plain),
          Stats.Ratio.ofScores(chain[0], chain[1], plain[0], plain[1]),
          depth == DEEPEST ? "<= 1.15x" : "(info)",
          depth == DEEPEST ? chain[0] / plain[0] <= 1.15 : null);
    }
    for (int depth : new int[] {1, 3, DEEPEST}) {
      double[] s = scores.get("startupCleanup depth=" + depth);
      row(
          "warm startup + cleanup of a "
              + (depth + 1)
              + "-deep chain ("
              + depth
              + " layers + base)",
          ns(s),
          "-",
          null,
          depth == DEEPEST ? "<= 1 us" : "(info)",
          depth == DEEPEST ? s[0] <= 1000 : null);
    }
    double[] cold = scores.get("coldLoadUnload");
    row(
        "cold plugin load + unload",
        String.format(Locale.ROOT, "%.2f ms ±%.2f", cold[0] / 1000, cold[1] / 1000),
        "-",
        null,
        "<= 50 ms",
        cold[0] / 1000 <= 50);
  }

  private static String ns(double[] s) {
    return String.format(Locale.ROOT, "%.1f ns ±%.1f", s[0], s[1]);
  }

  /* ---- TCP ---- */

  private void tcp() throws Exception {
    // Two threads on two cores: a round's figure depends on where the scheduler puts them, and
    // rounds fall into two groups some 20% apart. Many rounds make the median hold still.
    int rounds = quick ? 3 : 15;
    long scale = quick ? 1 : 4;
    int[] sizes = {64, 1024, 64 * 1024};
    long[] totals = {4L << 20, 32L << 20, 256L << 20};
    int pings = quick ? 5_000 : 20_000;
    List<TcpContender> contenders =
        List.of(new ChainContender(DEEPEST), new NioContender(), new NettyContender(DEEPEST));
    Map<String, List<Double>> results = new LinkedHashMap<>();
    try {
      // A first round, not counted, in which each contender's code is compiled and its buffers
      // and threads come up: without it the first counted round is an outlier in every spread.
      for (TcpContender c : contenders) {
        for (int i = 0; i < sizes.length; i++) {
          c.throughput(sizes[i], totals[i]);
        }
        c.pingPong(pings / 2, pings / 2);
      }
      out.println("tcp warm-up round done");
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < contenders.size(); k++) {
          TcpContender c =
              contenders.get((round + k) % contenders.size()); // alternate who goes first
          for (int i = 0; i < sizes.length; i++) {
            results
                .computeIfAbsent(c.name() + " " + sizes[i], x -> new ArrayList<>())
                .add(c.throughput(sizes[i], totals[i] * scale));
          }
          long[] lat = c.pingPong(pings / 2, pings);
          results
              .computeIfAbsent(c.name() + " p50", x -> new ArrayList<>())
              .add(Stats.percentileMicros(lat, 50));
          results
              .computeIfAbsent(c.name() + " p99", x -> new ArrayList<>())
              .add(Stats.percentileMicros(lat, 99));
        }
        out.printf(Locale.ROOT, "tcp round %d of %d done%n", round + 1, rounds);
      }
    } finally {
      for (TcpContender c : contenders) {
        c.close();
      }
    }
    String p = contenders.get(0).name();
    String nio = contenders.get(1).name();
    String netty = contenders.get(2).name();
    String[] labels = {"64 B", "1 KiB", "64 KiB"};
    for (int i = 0; i < sizes.length; i++) {
      List<Double> mine = results.get(p + " " + sizes[i]);
      List<Double> base = results.get(nio + " " + sizes[i]);
      roundsRow(
          "TCP " + labels[i] + " throughput, " + DEEPEST + " layers vs raw NIO",
          mibs(mine),
          mibs(base),
          mine,
          base,
          sizes[i] == 65536 ? 0.95 : sizes[i] == 1024 ? 0.90 : Double.NaN,
          true);
    }
    latencyRow(
        "ping-pong 64 B p50, " + DEEPEST + " layers vs raw NIO",
        results.get(p + " p50"),
        results.get(nio + " p50"),
        1.10);
    latencyRow(
        "ping-pong 64 B p99, " + DEEPEST + " layers vs raw NIO",
        results.get(p + " p99"),
        results.get(nio + " p99"),
        Double.NaN);
    for (int i = 0; i < sizes.length; i++) {
      List<Double> mine = results.get(p + " " + sizes[i]);
      List<Double> base = results.get(netty + " " + sizes[i]);
      roundsRow(
          "TCP "
              + labels[i]
              + " throughput, "
              + DEEPEST
              + " layers vs Netty with "
              + DEEPEST
              + " handlers",
          mibs(mine),
          mibs(base),
          mine,
          base,
          1.0,
          true);
    }
    latencyRow(
        "ping-pong 64 B p50, " + DEEPEST + " layers vs Netty with " + DEEPEST + " handlers",
        results.get(p + " p50"),
        results.get(netty + " p50"),
        1.0);
  }

  /* ---- request/response over a holding layer ---- */

  /**
   * 64 B ping-pong over {@code [coalesce, tcp4]} (its defaults: 8 KiB threshold, 20 ms delay,
   * flush-on-receive) against bare {@code tcp4}, both through the runtime, alternating rounds: what
   * a request/response exchange pays for a layer that holds bytes back.
   */
  private void holding() throws Exception {
    int rounds = quick ? 3 : 15;
    int pings = quick ? 5_000 : 20_000;
    Catalog catalog =
        Catalog.builtin()
            .installLayer(
                "coalesce",
                ProviderDescriptor.of(CoalesceLayer.class).id(),
                Map.of(),
                List.of(Catalog.builtin().entry("tcp4").orElseThrow().id()))
            .checkValid("benchmark catalog");
    List<TcpContender> contenders =
        List.of(
            new ChainContender(
                "[coalesce, tcp4]",
                ChainRuntime.builder()
                    .name("benchmark-coalesce")
                    .catalog(catalog)
                    .shutdownHook(false)
                    .build(),
                "coalesce-tcp4"),
            new ChainContender("tcp4", Chains.runtime("tcp4", 0), "tcp4"));
    Map<String, List<Double>> p50 = new LinkedHashMap<>();
    try {
      for (TcpContender c : contenders) {
        c.pingPong(pings / 2, pings / 2); // a round not counted: compiled code, threads up
      }
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < contenders.size(); k++) {
          TcpContender c = contenders.get((round + k) % contenders.size());
          long[] lat = c.pingPong(pings / 2, pings);
          p50.computeIfAbsent(c.name(), x -> new ArrayList<>())
              .add(Stats.percentileMicros(lat, 50));
        }
      }
      out.println("holding-layer ping-pong done");
    } finally {
      for (TcpContender c : contenders) {
        c.close();
      }
    }
    List<Double> mine = p50.get(contenders.get(0).name());
    List<Double> base = p50.get(contenders.get(1).name());
    latencyRow("ping-pong 64 B p50, [coalesce, tcp4] vs bare tcp4", mine, base, 1.20);
  }

  /** A row of round-trip times: lower is better, {@code limit} NaN for information. */
  private void latencyRow(String measure, List<Double> mine, List<Double> base, double limit) {
    roundsRow(measure, micros(mine), micros(base), mine, base, limit, false);
  }

  static String mibs(List<Double> v) {
    return figure(v, "%.0f MiB/s");
  }

  static String micros(List<Double> v) {
    return figure(v, "%.1f us");
  }

  /** The median of rounds in {@code format}, then the rounds' interquartile range over it. */
  static String figure(List<Double> v, String format) {
    return figure(v, format, 1);
  }

  /** As {@link #figure(List, String)}, the median multiplied by {@code unit} first. */
  static String figure(List<Double> v, String format, double unit) {
    return String.format(Locale.ROOT, format, Stats.median(v) * unit)
        + String.format(Locale.ROOT, " ±%.0f%%", 100 * Stats.spread(v));
  }

  /** Prints a line of progress while the parts run. */
  void progress(String line) {
    out.println(line);
  }

  /* ---- table ---- */

  /**
   * The row of a measure of rounds: the ratio is {@link Stats.Ratio#of} the rounds {@code mine} and
   * {@code base}, and the goal that ratio at least ({@code atLeast}) or at most {@code limit}; a
   * {@code limit} that is NaN makes the row information only.
   */
  void roundsRow(
      String measure,
      String mine,
      String base,
      List<Double> mineRounds,
      List<Double> baseRounds,
      double limit,
      boolean atLeast) {
    Stats.Ratio ratio = Stats.Ratio.of(mineRounds, baseRounds);
    boolean info = Double.isNaN(limit);
    row(
        measure,
        mine,
        base,
        ratio,
        info ? "(info)" : String.format(Locale.ROOT, "%s %.2fx", atLeast ? ">=" : "<=", limit),
        info ? null : atLeast ? ratio.median() >= limit : ratio.median() <= limit);
  }

  /**
   * Adds a row; {@code ratio} is null where there is no baseline. Its result is pass or FAIL by the
   * goal (or {@code -} for information), followed by "parity" when the ratio's range holds 1.0: the
   * rounds do not agree which side leads, so no lead is claimed.
   */
  void row(String measure, String mine, String base, Stats.Ratio ratio, String goal, Boolean pass) {
    String result = pass == null ? "" : pass ? "pass" : "FAIL";
    if (ratio != null && ratio.parity()) {
      result = result.isEmpty() ? "parity" : result + " (parity)";
    }
    rows.add(
        new String[] {
          measure,
          mine,
          base,
          ratio == null ? "-" : ratio.toString(),
          goal,
          result.isEmpty() ? "-" : result
        });
  }

  private void print() {
    String[] head = {"measure", "protochain", "baseline", "ratio", "goal", "result"};
    int[] w = new int[head.length];
    List<String[]> all = new ArrayList<>();
    all.add(head);
    all.addAll(rows);
    for (String[] r : all) {
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    for (int j = 0; j < all.size(); j++) {
      StringBuilder line = new StringBuilder("|");
      for (int i = 0; i < head.length; i++) {
        line.append(' ')
            .append(String.format(Locale.ROOT, "%-" + w[i] + "s", all.get(j)[i]))
            .append(" |");
      }
      out.println(line);
      if (j == 0) {
        StringBuilder sep = new StringBuilder("|");
        for (int width : w) {
          sep.append('-').append("-".repeat(width)).append("-|");
        }
        out.println(sep);
      }
    }
  }

  static String machine() {
    String cpu = "unknown CPU";
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8).stream()
              .filter(l -> l.startsWith("model name"))
              .findFirst()
              .map(l -> l.replaceFirst("^[^:]*:\\s*", ""))
              .orElse(cpu);
    } catch (java.io.IOException e) {
      // Not Linux: say so in the machine line.
    }
    return Runtime.getRuntime().availableProcessors()
        + " cores ("
        + cpu
        + "), JDK "
        + System.getProperty("java.vm.name")
        + " "
        + System.getProperty("java.version")
        + ", "
        + LocalDate.now(ZoneOffset.UTC);
  }
}
