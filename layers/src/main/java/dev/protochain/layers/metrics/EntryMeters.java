package dev.protochain.layers.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one chain entry, as one load of the layer sees them. Registering an id the registry
 * already holds returns the meter registered before, so a later load (or an old and a new load at
 * once, or two runtimes naming their entries alike) counts on in the same meters. Every meter here
 * is one of Micrometer's own classes holding nothing of the layer: a registry that outlives the
 * load keeps no class of the layer's class loader. Thread-safe.
 */
final class EntryMeters {

  private final MeterRegistry registry;
  private final String prefix;
  private final Tags tags;
  private final boolean histogram;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final LongTaskTimer open;
  // The samples of this load's sockets still open; each is stopped once, by its close or the
  // unload.
  private final Set<LongTaskTimer.Sample> active = ConcurrentHashMap.newKeySet();
  final Counter sent;
  final Counter received;

  EntryMeters(
      MeterRegistry registry, String prefix, String entry, String layer, boolean histogram) {
    this.registry = registry;
    this.prefix = prefix;
    this.tags = Tags.of("entry", entry, "layer", layer);
    this.histogram = histogram;
    this.sent =
        Counter.builder(prefix + ".bytes.sent")
            .baseUnit("bytes")
            .tags(tags)
            .description("bytes sent through the layer")
            .register(registry);
    this.received =
        Counter.builder(prefix + ".bytes.received")
            .baseUnit("bytes")
            .tags(tags)
            .description("bytes received through the layer")
            .register(registry);
    this.open =
        LongTaskTimer.builder(prefix + ".sockets.open")
            .tags(tags)
            .description(
                "sockets open through the layer (active tasks) and how long they have been")
            .register(registry);
  }

  /** Returns the sample of a socket just opened; {@link #closed} stops it. */
  LongTaskTimer.Sample opened() {
    LongTaskTimer.Sample s = open.start();
    active.add(s);
    return s;
  }

  void closed(LongTaskTimer.Sample socket) {
    if (active.remove(socket)) {
      socket.stop();
    }
  }

  /** Stops the samples of sockets still open at unload: no socket of this load outlives it. */
  void unloaded() {
    active.forEach(this::closed);
  }

  void time(String operation, long nanos) {
    timers
        .computeIfAbsent(
            operation,
            op ->
                Timer.builder(prefix + ".operations")
                    .tags(tags)
                    .tag("operation", op)
                    .publishPercentileHistogram(histogram)
                    .description("operations through the layer and their latency")
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void error(String operation, Throwable t) {
    String exception = t.getClass().getSimpleName();
    errors
        .computeIfAbsent(
            operation + " " + exception,
            k ->
                Counter.builder(prefix + ".errors")
                    .tags(tags)
                    .tag("operation", operation)
                    .tag("exception", exception)
                    .description("operations through the layer that threw")
                    .register(registry))
        .increment();
  }
}
