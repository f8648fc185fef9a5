package dev.protochain.benchmarks;

/**
 * The layer-versus-library comparisons: the tls layer against the JDK's {@code SSLSocket}, the
 * deflate layer against {@code java.util.zip} streams. They need those layers, which arrive with
 * the stock-layers work; until then the table says the measures are not run.
 */
final class Comparisons {

  private Comparisons() {}

  static void tlsAndDeflate(Report report, boolean quick) {
    report.row("tls layer vs JDK SSLSocket throughput", "not run", "not run", Double.NaN, ">= 0.90x", null);
    report.row("deflate layer vs java.util.zip streams", "not run", "not run", Double.NaN, ">= 0.90x", null);
  }
}
