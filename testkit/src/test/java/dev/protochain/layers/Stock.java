package dev.protochain.layers;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runtimes for the stock layers' own tests: the layer found through {@link java.util.ServiceLoader}
 * as the runtime finds it, installed with {@link Catalog#installLayer} over built-in entries.
 */
public final class Stock {

  private Stock() {}

  /** Returns the descriptor of a stock layer class. */
  public static ProviderDescriptor descriptor(Class<?> layer) {
    try {
      return ProviderDescriptor.of(layer);
    } catch (ProtochainException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the built-in catalog with {@code layer} installed over the entries named {@code over}.
   */
  public static Catalog catalog(Class<?> layer, Map<String, String> settings, String... over) {
    Catalog builtin = Catalog.builtin();
    List<Integer> ids = new ArrayList<>();
    for (String name : over) {
      ids.add(builtin.entry(name).orElseThrow().id());
    }
    ProviderDescriptor d = descriptor(layer);
    return builtin.installLayer(d.name(), d.id(), settings, ids);
  }

  /** Returns a runtime (no shutdown hook, 10 s drain bound) over {@code catalog}. */
  public static ChainRuntime runtime(Catalog catalog) throws IOException {
    return builder(catalog).build();
  }

  /** Returns a builder with what {@link #runtime} sets. */
  public static ChainRuntime.Builder builder(Catalog catalog) {
    return ChainRuntime.builder()
        .name("stock-test")
        .catalog(catalog)
        .shutdownHook(false)
        .drainTimeout(Duration.ofSeconds(10));
  }

  /** Returns 127.0.0.1 with port 0. */
  public static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  /** Opens a socket listening on an ephemeral loopback port with a receive timeout of 10 s. */
  public static ChainSocket listener(Session session) throws IOException {
    ChainSocket l = session.open();
    l.bind(loopback());
    l.listen(16);
    l.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
    return l;
  }
}
