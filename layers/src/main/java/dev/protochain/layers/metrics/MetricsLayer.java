package dev.protochain.layers.metrics;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Meters every socket passing through it with Micrometer and otherwise changes nothing.
 *
 * <h2>Meters</h2>
 *
 * Every meter is tagged {@code entry} (the name of the chain entry the socket was opened for) and
 * {@code layer} (the name of this layer's own entry); {@code <prefix>} is the {@code prefix}
 * setting:
 *
 * <ul>
 *   <li>{@code <prefix>.bytes.sent}, {@code <prefix>.bytes.received}: counters of bytes;
 *   <li>{@code <prefix>.operations}: a timer per operation (tag {@code operation}: {@code bind},
 *       {@code listen}, {@code accept}, {@code connect}, {@code send}, {@code receive}, {@code
 *       sendTo}, {@code receiveFrom}, {@code flush}, {@code shutdownInput}, {@code shutdownOutput},
 *       {@code close}), counting operations and their latency, failed ones included; a blocking
 *       receive's latency includes its wait;
 *   <li>{@code <prefix>.errors}: a counter per operation and exception class (tags {@code
 *       operation}, {@code exception}, the simple class name) of operations that threw;
 *   <li>{@code <prefix>.sockets.open}: a long task timer with one task per socket open, accepted
 *       ones included, from its open to its close: its active tasks are the sockets open now, its
 *       duration how long they have been open.
 * </ul>
 *
 * <h3>Where the meters live, and for how long</h3>
 *
 * The registry is the {@link MeterRegistry} the application handed the runtime, which hands it to
 * every provider through {@link dev.protochain.api.spi.RuntimeServices#find} ({@code
 * ChainRuntime.builder().service(MeterRegistry.class, registry)}, the one way a runtime hands
 * providers what the application registered). The meters then belong to the application, not to a
 * load of the layer: they are registered when the first socket of a chain entry opens and stay when
 * the layer's count reaches zero and it unloads, as it does each time the last bridged connection
 * over it closes. The counters and timers are cumulative: a later load registers the same ids, gets
 * the same meters back and counts on, so {@code protochain.bytes.sent} read after every connection
 * closed holds everything sent so far. What belongs to a socket goes with it: its task in {@code
 * sockets.open} ends when it closes (or, if still open, when the layer unloads). The meters are
 * Micrometer's own objects and hold nothing of the layer, so a registry that lives on keeps no
 * class of the layer's class loader. Two loads at once (an old and a new catalog generation) and
 * two runtimes naming their entries alike count into the same meters.
 *
 * <p>Without an application registry the layer keeps a {@link SimpleMeterRegistry} of each load's
 * own, readable through {@link #registry()}, and clears and closes it at unload: its meters last
 * one load.
 *
 * <h2>Settings</h2>
 *
 * <ul>
 *   <li>{@code prefix}: the start of every meter name, lower-case letters, digits, {@code .} and
 *       {@code _};
 *   <li>{@code histogram}: {@code true} publishes a percentile histogram of each timer.
 * </ul>
 *
 * <p>Each setting's default is the {@code defaultValue} of its {@code @SettingInfo} below ({@code
 * protochain catalog layers} lists them).
 *
 * <p>This class is thread-safe.
 */
@ProviderInfo(
    id = "f35c4a2f-d18e-4760-8a2c-7a59ee8cfe10",
    name = "metrics",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description =
        "Counts bytes, operations, errors and open sockets, and times operations, with Micrometer.",
    settings = {
      @SettingInfo(
          name = "prefix",
          defaultValue = "protochain",
          description = "the start of every meter name"),
      @SettingInfo(
          name = "histogram",
          defaultValue = "false",
          description = "whether timers publish a percentile histogram")
    })
public final class MetricsLayer extends AbstractLayer {

  private final Map<String, EntryMeters> byEntry = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;
  private volatile boolean ownRegistry;
  private volatile String prefix;
  private volatile boolean histogram;

  /** Creates the layer; the runtime calls this. */
  public MetricsLayer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    prefix = settings().getString("prefix").trim();
    if (!prefix.matches("[a-z][a-z0-9._]{0,63}")) {
      throw new IllegalArgumentException(
          "setting 'prefix' of "
              + context.entry()
              + " = '"
              + prefix
              + "' (expected: 1 to 64 lower-case letters, digits, '.' or '_', starting with a letter)");
    }
    histogram = settings().getBoolean("histogram");
    MeterRegistry found = context.services().find(MeterRegistry.class).orElse(null);
    ownRegistry = found == null;
    registry = found != null ? found : new SimpleMeterRegistry();
  }

  /**
   * Ends the tasks of sockets still open; leaves the application's meters where they are, and
   * clears and closes the registry if it was this load's own.
   */
  @Override
  protected void onUnload() {
    byEntry.values().forEach(EntryMeters::unloaded);
    byEntry.clear();
    if (ownRegistry) {
      MeterRegistry r = registry;
      r.clear();
      r.close();
    }
  }

  /**
   * Returns the registry the meters live in: the application's, or this load's own {@link
   * SimpleMeterRegistry}.
   *
   * @throws IllegalStateException if the layer is not loaded
   */
  public MeterRegistry registry() {
    MeterRegistry r = registry;
    if (r == null) {
      throw new IllegalStateException("layer " + getClass().getName() + " is not loaded");
    }
    return r;
  }

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    String entry = context.entry().name();
    EntryMeters meters =
        byEntry.computeIfAbsent(
            entry, e -> new EntryMeters(registry, prefix, e, context().entry().name(), histogram));
    return new MetricsSocket(below, meters);
  }
}
