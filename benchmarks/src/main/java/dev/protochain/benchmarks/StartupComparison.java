package dev.protochain.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How long the command takes to start: {@code bin/protochain catalog show} of the CLI's
 * distribution, with its archive (a class data sharing archive, an AOT cache on JDK 25 and newer)
 * and without it ({@code PROTOCHAIN_CDS=off}), and the same classes run by {@code java -cp lib/*}
 * alone (no archive, both compilers: the launchers before), against a bare {@code java -version} of
 * the same JDK, wall-clock time of whole processes, rounds alternating which goes first. The
 * distribution is {@code -Dprotochain.dist=DIR} (the unpacked one in {@code cli/target}, which
 * {@code benchmarks/run} names); its home and cache are temporary, and an untimed first run makes
 * the archive.
 */
final class StartupComparison {

  private StartupComparison() {}

  static void run(Report report, boolean quick) throws Exception {
    String named = System.getProperty("protochain.dist");
    if (named == null || !Files.isExecutable(Path.of(named, "bin", "protochain"))) {
      throw new IllegalStateException(
          "the startup part needs -Dprotochain.dist=DIR naming the unpacked distribution"
              + " (benchmarks/run sets it), not "
              + named);
    }
    Path launcher = Path.of(named, "bin", "protochain");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path scratch = Files.createTempDirectory("protochain-bench-startup");
    Map<String, String> env = new LinkedHashMap<>();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("HOME", scratch.toString());
    env.put("XDG_CACHE_HOME", scratch.resolve("cache").toString());
    env.put("PROTOCHAIN_HOME", scratch.resolve("home").toString());
    List<String> catalogShow = List.of(launcher.toString(), "catalog", "show");
    time(catalogShow, env, true); // makes the home (saying so on standard error) and the archive
    time(catalogShow, env, false);
    Map<String, String> noArchive = new LinkedHashMap<>(env);
    noArchive.put("PROTOCHAIN_CDS", "off");
    // What the launchers ran before they had the archive and C1: java and the class path alone.
    List<String> bare =
        List.of(
            java.toString(),
            "-cp",
            Path.of(named, "lib", "*").toString(),
            "dev.protochain.cli.Main",
            "catalog",
            "show");
    int rounds = quick ? 5 : 20;
    Map<String, List<Double>> ms = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (int k = 0; k < 4; k++) {
        switch ((round + k) % 4) { // alternate who goes first
          case 0 -> add(ms, "java", time(List.of(java.toString(), "-version"), env, true));
          case 1 -> add(ms, "cds", time(catalogShow, env, false));
          case 2 -> add(ms, "plain", time(catalogShow, noArchive, false));
          default -> add(ms, "bare", time(bare, env, false));
        }
      }
    }
    report.progress("startup rounds done");
    String show = "protochain catalog show (distribution, ";
    // The launcher's archive on this JDK: what bin/protochain makes.
    String archive = Runtime.version().feature() >= 25 ? "AOT cache" : "CDS archive";
    row(report, show + archive + ") vs bare java -version", ms, "cds", "java", 2.5);
    row(
        report,
        show + "PROTOCHAIN_CDS=off) vs bare java -version",
        ms,
        "plain",
        "java",
        Double.NaN);
    row(report, "protochain catalog show, " + archive + " vs none", ms, "cds", "plain", Double.NaN);
    row(
        report,
        "protochain catalog show, the launcher vs java -cp lib/* alone (as before)",
        ms,
        "cds",
        "bare",
        Double.NaN);
  }

  /** A row of times in milliseconds, lower is better; {@code limit} NaN for information. */
  private static void row(
      Report report,
      String measure,
      Map<String, List<Double>> ms,
      String mine,
      String base,
      double limit) {
    report.roundsRow(
        measure,
        Report.figure(ms.get(mine), "%.0f ms"),
        Report.figure(ms.get(base), "%.0f ms"),
        ms.get(mine),
        ms.get(base),
        limit,
        false);
  }

  private static void add(Map<String, List<Double>> ms, String key, double value) {
    ms.computeIfAbsent(key, x -> new ArrayList<>()).add(value);
  }

  /**
   * Runs {@code command} in {@code env} and returns its wall-clock time in milliseconds; fails when
   * it fails or, unless {@code stderrExpected}, prints on standard error.
   */
  private static double time(List<String> command, Map<String, String> env, boolean stderrExpected)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().keySet().removeIf(k -> k.startsWith("PROTOCHAIN_") || k.startsWith("XDG_"));
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " did not end");
    }
    double ms = (System.nanoTime() - start) / 1e6;
    if (p.exitValue() != 0 || (!stderrExpected && err.length > 0)) {
      throw new IllegalStateException(
          command
              + " failed or printed on standard error (exit "
              + p.exitValue()
              + "):\n"
              + new String(err, StandardCharsets.UTF_8));
    }
    return ms;
  }
}
