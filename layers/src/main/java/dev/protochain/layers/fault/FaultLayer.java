package dev.protochain.layers.fault;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Injects faults into the sockets passing through it, at random but deterministically for a given
 * seed, so that code above a chain can be tested against delays, resets, short writes and lost
 * datagrams. With every probability 0 it changes nothing.
 *
 * <h2>Faults</h2>
 *
 * <ul>
 *   <li>delay: before a connect, send, receive, sendTo or receiveFrom, with {@code
 *       delay-probability}, the operation first waits {@code delay}, holding no lock; the wait ends
 *       early when the socket closes or the layer unloads;
 *   <li>reset: a stream send or receive, with {@code reset-probability}, resets the connection
 *       instead (the peer sees a reset) and throws {@link java.net.SocketException} {@code
 *       Connection reset: injected by layer 'fault' (entry 2001), socket 0, send 3};
 *   <li>short write: a stream send of two bytes or more, with {@code short-write-probability},
 *       passes only 1 to n-1 of its n bytes (as the contract allows; {@code sendFully} loops);
 *   <li>drop: a datagram send or sendTo, with {@code drop-probability}, is dropped: it returns the
 *       datagram's length and sends nothing.
 * </ul>
 *
 * <h2>Determinism</h2>
 *
 * Each socket draws from a {@link Random} of its own, derived from {@code seed} and the socket's
 * number: 0 for the first socket this load opens or accepts, 1 for the next, and so on. Every
 * faultable operation draws in the same order, whatever the probabilities: one number for the
 * delay; then, for a stream send or receive, one for the reset; then, for a stream send, one for
 * the short write (and, when it is short, one for its length); for a datagram send or sendTo, one
 * for the drop. So the same program, opening its sockets in the same order and calling the same
 * operations on each, meets the same faults at every run.
 *
 * <h2>Settings</h2>
 *
 * <ul>
 *   <li>{@code seed}: a whole number;
 *   <li>{@code delay-probability}, {@code reset-probability}, {@code short-write-probability},
 *       {@code drop-probability}: each 0 to 1;
 *   <li>{@code delay}: how long a delayed operation waits.
 * </ul>
 *
 * <p>Each setting's default is the {@code defaultValue} of its {@code @SettingInfo} below ({@code
 * protochain catalog layers} lists them).
 *
 * <p>This class is thread-safe.
 */
@ProviderInfo(
    id = "18408f16-0c03-4553-8386-cc1bad328b7d",
    name = "fault",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description = "Injects seeded delays, resets, short writes and datagram drops, for testing.",
    settings = {
      @SettingInfo(
          name = "seed",
          defaultValue = "0",
          description = "the seed every socket's generator derives from"),
      @SettingInfo(
          name = "delay-probability",
          defaultValue = "0",
          description = "chance an operation waits first"),
      @SettingInfo(
          name = "delay",
          defaultValue = "50ms",
          description = "how long a delayed operation waits"),
      @SettingInfo(
          name = "reset-probability",
          defaultValue = "0",
          description = "chance a stream send or receive resets the connection"),
      @SettingInfo(
          name = "short-write-probability",
          defaultValue = "0",
          description = "chance a stream send passes only part of its bytes"),
      @SettingInfo(
          name = "drop-probability",
          defaultValue = "0",
          description = "chance a datagram is dropped")
    })
public final class FaultLayer extends AbstractLayer {

  private final AtomicInteger sockets = new AtomicInteger();
  private volatile long seed;
  private volatile double delayProbability;
  private volatile double resetProbability;
  private volatile double shortWriteProbability;
  private volatile double dropProbability;
  private volatile Duration delay;
  private volatile String name;
  private volatile boolean unloaded;

  /** Creates the layer; the runtime calls this. */
  public FaultLayer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    seed = settings().getLong("seed");
    delayProbability = probability("delay-probability", context);
    resetProbability = probability("reset-probability", context);
    shortWriteProbability = probability("short-write-probability", context);
    dropProbability = probability("drop-probability", context);
    delay = settings().getDuration("delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException(
          "setting 'delay' of "
              + context.entry()
              + " = '"
              + settings().getString("delay")
              + "' is negative (expected: 0 or more)");
    }
    name = "layer '" + context.entry().name() + "' (entry " + context.entry().id() + ")";
  }

  private double probability(String key, ProviderContext context) {
    String raw = settings().getString(key);
    double p;
    try {
      p = Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      p = Double.NaN;
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(
          "setting '"
              + key
              + "' of "
              + context.entry()
              + " = '"
              + raw
              + "' is not a probability (expected: 0 to 1)");
    }
    return p;
  }

  @Override
  protected void onUnload() {
    unloaded = true; // every delay polls this and ends with OPERATION_ABORTED
  }

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    return newSocket(below);
  }

  FaultSocket newSocket(ChainSocket below) {
    int number = sockets.getAndIncrement();
    // Spread consecutive socket numbers over the seed space, so neighbours draw unrelated
    // sequences.
    return new FaultSocket(
        this, below, number, new Random(seed ^ (0x9E3779B97F4A7C15L * (number + 1))));
  }

  double delayProbability() {
    return delayProbability;
  }

  double resetProbability() {
    return resetProbability;
  }

  double shortWriteProbability() {
    return shortWriteProbability;
  }

  double dropProbability() {
    return dropProbability;
  }

  Duration delay() {
    return delay;
  }

  boolean unloaded() {
    return unloaded;
  }

  /** Returns {@code layer 'fault' (entry 2001)}, for messages. */
  String describe() {
    return name;
  }
}
