/**
 * The {@code metrics} layer: Micrometer counters, timers and a gauge for every socket passing
 * through it.
 *
 * <p>Start with {@link dev.protochain.layers.metrics.MetricsLayer}.
 */
package dev.protochain.layers.metrics;
