package dev.protochain.layers.ratelimit;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import java.util.Locale;

/**
 * Limits how many bytes and how many operations per second pass, per socket or shared by every
 * socket of the layer, with Guava's {@link com.google.common.util.concurrent.RateLimiter}.
 *
 * <p>Bytes are limited in each direction on its own: what sends and sendTos write, and what
 * receives and receiveFroms return. A stream send passes at most a tenth of a second's worth of
 * bytes at a time (so it may be partial, as the contract allows), so no single wait is long; a
 * datagram passes whole. A receive waits after it read, before it returns. Operations (connect,
 * accept, send, receive, sendTo, receiveFrom) share one limit. The first operation after a quiet
 * spell passes at once, as with any {@code RateLimiter}.
 *
 * <p>An operation waits holding no lock: other threads' operations on the socket, and its close, go
 * on meanwhile. A wait ends when the socket closes (with {@link
 * java.nio.channels.AsynchronousCloseException}, which the runtime reports as {@code
 * OPERATION_ABORTED} at a final cleanup) or when the layer unloads (with {@code OPERATION_ABORTED}
 * naming the layer).
 *
 * <h2>Settings</h2>
 *
 * <ul>
 *   <li>{@code bytes-per-second}: the byte limit of each direction; {@code 0} means none;
 *   <li>{@code operations-per-second}: the operation limit; {@code 0} means none;
 *   <li>{@code scope}: {@code socket} gives each socket, accepted ones included, its own limits;
 *       {@code provider} makes every socket of this load share them.
 * </ul>
 *
 * <p>Each setting's default is the {@code defaultValue} of its {@code @SettingInfo} below ({@code
 * protochain catalog layers} lists them).
 *
 * <p>This class is thread-safe.
 */
@ProviderInfo(
    id = "c3c488a1-a356-4303-b7fc-aea7cade94dc",
    name = "ratelimit",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description = "Limits bytes and operations per second, per socket or per provider.",
    settings = {
      @SettingInfo(
          name = "bytes-per-second",
          defaultValue = "0",
          description = "bytes per second in each direction; 0 for no limit"),
      @SettingInfo(
          name = "operations-per-second",
          defaultValue = "0",
          description = "operations per second; 0 for no limit"),
      @SettingInfo(
          name = "scope",
          defaultValue = "socket",
          description = "socket (each socket its own limits) or provider (shared by every socket)")
    })
public final class RateLimitLayer extends AbstractLayer {

  private volatile long bytesPerSecond;
  private volatile long operationsPerSecond;
  private volatile Limits shared;
  private volatile String name;
  private volatile boolean unloaded;

  /** Creates the layer; the runtime calls this. */
  public RateLimitLayer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    bytesPerSecond = nonNegative("bytes-per-second", context.entry());
    operationsPerSecond = nonNegative("operations-per-second", context.entry());
    String scope = settings().getString("scope").trim().toLowerCase(Locale.ROOT);
    switch (scope) {
      case "socket":
        shared = null;
        break;
      case "provider":
        shared = newLimits();
        break;
      default:
        throw new IllegalArgumentException(
            "setting 'scope' of "
                + context.entry()
                + " = '"
                + settings().getString("scope")
                + "' (expected: socket or provider)");
    }
    name = "layer '" + context.entry().name() + "' (entry " + context.entry().id() + ")";
  }

  private long nonNegative(String key, CatalogEntry entry) {
    long v = settings().getLong(key);
    if (v < 0) {
      throw new IllegalArgumentException(
          "setting '"
              + key
              + "' of "
              + entry
              + " = "
              + v
              + " is negative (expected: 0 for no limit, or more)");
    }
    return v;
  }

  @Override
  protected void onUnload() {
    unloaded = true; // every wait polls this and ends with OPERATION_ABORTED
  }

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    return new RateLimitSocket(this, below);
  }

  /**
   * Returns the limits a new socket uses: the shared ones, or its own; with no limit set, the one
   * instance that limits nothing (a socket costs no limiter it never uses).
   */
  Limits limitsForSocket() {
    Limits s = shared;
    if (s != null) {
      return s;
    }
    return bytesPerSecond == 0 && operationsPerSecond == 0 ? Limits.NONE : newLimits();
  }

  private Limits newLimits() {
    return new Limits(bytesPerSecond, operationsPerSecond);
  }

  boolean unloaded() {
    return unloaded;
  }

  /** Returns {@code layer 'ratelimit' (entry 2001)}, for messages. */
  String describe() {
    return name;
  }
}
