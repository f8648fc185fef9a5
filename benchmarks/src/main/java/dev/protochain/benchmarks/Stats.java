package dev.protochain.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Medians, spreads and percentiles of measurements. */
final class Stats {

  private Stats() {}

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /**
   * protochain's figure over a baseline's: the median of the rounds' own ratios {@code mine[i] /
   * base[i]}, and the lowest and highest of them. Each round's two figures were measured minutes
   * apart at most, so a round's ratio cancels the machine's slower drifts (another tenant, the
   * CPU's clock) that a ratio of the two medians keeps. A range that holds 1.0 is parity: the
   * rounds do not agree on which side leads.
   */
  record Ratio(double median, double low, double high) {

    static Ratio of(List<Double> mine, List<Double> base) {
      if (mine.size() != base.size()) {
        throw new IllegalArgumentException(mine.size() + " rounds against " + base.size());
      }
      List<Double> ratios = new ArrayList<>();
      for (int i = 0; i < mine.size(); i++) {
        ratios.add(mine.get(i) / base.get(i));
      }
      return new Ratio(
          Stats.median(ratios),
          ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
          ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
    }

    /**
     * From two scores without rounds of their own (JMH's) and their confidence half-widths: the
     * range is where the ratio of two values within those intervals can lie.
     */
    static Ratio ofScores(double mine, double mineError, double base, double baseError) {
      return new Ratio(
          mine / base,
          (mine - mineError) / (base + baseError),
          (mine + mineError) / (base - baseError));
    }

    boolean parity() {
      return low <= 1.0 && high >= 1.0;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.2fx (%.2f-%.2f)", median, low, high);
    }
  }

  /**
   * Returns the interquartile range over the median, as a fraction: how far apart the middle half
   * of the rounds lie. Unlike (max - min), one round disturbed by the machine does not swell it.
   */
  static double spread(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double m = median(values);
    return m == 0 || v.length == 0 ? 0 : (quantile(v, 0.75) - quantile(v, 0.25)) / m;
  }

  /** Returns the {@code q}-quantile of sorted {@code v}, interpolating between neighbours. */
  private static double quantile(double[] v, double q) {
    double pos = q * (v.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(v.length - 1, lo + 1);
    return v[lo] + (pos - lo) * (v[hi] - v[lo]);
  }

  /** Returns the {@code p}-th percentile (0 to 100) of {@code nanos}, in microseconds. */
  static double percentileMicros(long[] nanos, double p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1000.0;
  }
}
