package dev.protochain.benchmarks;

import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * What the runtime's JFR events cost: warm startup + cleanup pairs (one session held open, so no
 * load or unload) with a flight recording running, under JFR's {@code default} settings as {@code
 * -XX:StartFlightRecording} starts one, against the same pairs with none, alternating rounds in one
 * JVM. A warm pair is faster than the startup and cleanup events' default threshold (100 us), so it
 * pays for timing itself and the threshold check, not for writing events. Run: {@code
 * benchmarks/run --only jfr}.
 */
final class JfrOverhead {

  private JfrOverhead() {}

  static void run(Report report, boolean quick) throws Exception {
    int rounds = quick ? 7 : 21;
    int pairs = quick ? 100_000 : 200_000;
    for (int depth : new int[] {1, Report.DEEPEST}) {
      // 0: no recording; 1: default settings; 2: default settings, every startup and cleanup.
      List<List<Double>> times = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      try (ChainRuntime runtime = Chains.runtime("mem-stream", depth);
          Session keepWarm = runtime.startup(Chains.top("mem-stream", depth))) {
        int entry = keepWarm.entry().id();
        for (int round = -1; round < rounds; round++) { // round -1: not counted, compiles the code
          for (int k = 0; k < 3; k++) {
            int mode = (round + 1 + k) % 3;
            double ns = measure(runtime, entry, pairs, mode);
            if (round >= 0) {
              times.get(mode).add(ns);
            }
          }
        }
      }
      report.progress("JFR overhead at depth " + depth + " done");
      String chain = "warm startup + cleanup of a " + (depth + 1) + "-deep chain, JFR recording";
      List<Double> off = times.get(0);
      report.roundsRow(
          chain + " (default settings) vs none",
          Report.figure(times.get(1), "%.0f ns"),
          Report.figure(off, "%.0f ns"),
          times.get(1),
          off,
          1.10,
          false);
      report.roundsRow(
          chain + " of every startup and cleanup (threshold 0) vs none",
          Report.figure(times.get(2), "%.0f ns"),
          Report.figure(off, "%.0f ns"),
          times.get(2),
          off,
          Double.NaN,
          false);
    }
  }

  /**
   * Returns the mean time of {@code pairs} pairs with no recording (mode 0), a recording of JFR's
   * default settings (1), or that and every startup and cleanup whatever its duration (2); a tenth
   * as many pairs run first, not counted, while a new recording settles.
   */
  private static double measure(ChainRuntime runtime, int entry, int pairs, int mode)
      throws IOException, ParseException {
    if (mode == 0) {
      pairs(runtime, entry, pairs / 10);
      return pairs(runtime, entry, pairs);
    }
    try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
      if (mode == 2) {
        recording.enable("protochain.Startup").withoutThreshold();
        recording.enable("protochain.Cleanup").withoutThreshold();
      }
      recording.start();
      pairs(runtime, entry, pairs / 10);
      return pairs(runtime, entry, pairs);
    }
  }

  /** Returns the mean time of {@code pairs} startup + cleanup pairs of {@code entry}, in ns. */
  private static double pairs(ChainRuntime runtime, int entry, int pairs) throws IOException {
    long start = System.nanoTime();
    for (int i = 0; i < pairs; i++) {
      runtime.startup(entry).close();
    }
    return (System.nanoTime() - start) / (double) pairs;
  }
}
