package dev.protochain.layers.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one chain entry through one load of the layer; each meter is made once and
 * remembered, so that unload removes exactly these. Thread-safe.
 */
final class EntryMeters {

  private final MeterRegistry registry;
  private final String prefix;
  private final Tags tags;
  private final boolean histogram;
  private final Set<Meter> made = ConcurrentHashMap.newKeySet();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  final Counter sent;
  final Counter received;

  EntryMeters(
      MeterRegistry registry, String prefix, String entry, String layer, boolean histogram) {
    this.registry = registry;
    this.prefix = prefix;
    this.tags = Tags.of("entry", entry, "layer", layer);
    this.histogram = histogram;
    this.sent =
        remember(
            Counter.builder(prefix + ".bytes.sent")
                .baseUnit("bytes")
                .tags(tags)
                .description("bytes sent through the layer")
                .register(registry));
    this.received =
        remember(
            Counter.builder(prefix + ".bytes.received")
                .baseUnit("bytes")
                .tags(tags)
                .description("bytes received through the layer")
                .register(registry));
    remember(
        Gauge.builder(prefix + ".sockets.open", open, AtomicInteger::get)
            .tags(tags)
            .description("sockets open through the layer")
            .strongReference(true)
            .register(registry));
  }

  private <M extends Meter> M remember(M meter) {
    made.add(meter);
    return meter;
  }

  void opened() {
    open.incrementAndGet();
  }

  void closed() {
    open.decrementAndGet();
  }

  void time(String operation, long nanos) {
    timers
        .computeIfAbsent(
            operation,
            op ->
                remember(
                    Timer.builder(prefix + ".operations")
                        .tags(tags)
                        .tag("operation", op)
                        .publishPercentileHistogram(histogram)
                        .description("operations through the layer and their latency")
                        .register(registry)))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void error(String operation, Throwable t) {
    String exception = t.getClass().getSimpleName();
    errors
        .computeIfAbsent(
            operation + " " + exception,
            k ->
                remember(
                    Counter.builder(prefix + ".errors")
                        .tags(tags)
                        .tag("operation", operation)
                        .tag("exception", exception)
                        .description("operations through the layer that threw")
                        .register(registry)))
        .increment();
  }

  void removeFrom(MeterRegistry r) {
    for (Meter m : made) {
      r.remove(m);
    }
    made.clear();
  }
}
