package dev.protochain.benchmarks;

import java.util.Arrays;
import java.util.List;

/** Medians, spreads and percentiles of measurements. */
final class Stats {

  private Stats() {}

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Returns (max - min) / median, the spread over rounds, as a fraction. */
  static double spread(List<Double> values) {
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double m = median(values);
    return m == 0 ? 0 : (max - min) / m;
  }

  /** Returns the {@code p}-th percentile (0 to 100) of {@code nanos}, in microseconds. */
  static double percentileMicros(long[] nanos, double p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1000.0;
  }
}
