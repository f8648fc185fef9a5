package dev.protochain.runtime.internal;

import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogListener;
import dev.protochain.runtime.LifecycleListener;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.store.CatalogStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.UnaryOperator;

/**
 * What a runtime is built from.
 *
 * @param name the runtime's name
 * @param catalog the catalog snapshot, valid
 * @param source where providers are found
 * @param listeners lifecycle listeners
 * @param services objects providers may look up
 * @param clock the clock handed to providers
 * @param threadFactory where every thread the runtime and its providers start comes from
 * @param drainTimeout the bound on a final cleanup's delivery of held bytes
 * @param safeMode whether only base entries are selectable
 * @param shutdownHook whether to register a JVM shutdown hook
 * @param store the store the catalog was read from, or null
 * @param generation the catalog's generation in {@code store}, or 0 without one
 * @param follow whether to follow {@code store}'s catalog file
 * @param catalogListeners what hears the generations taken and refused
 * @param tracking what every source of providers passes through before the runtime asks it, the
 *     home's plugin store of each generation included (an {@link
 *     dev.protochain.runtime.UnloadCheck}'s {@code track}, or the identity)
 */
public record RuntimeConfig(
    String name,
    Catalog catalog,
    ProviderSource source,
    List<LifecycleListener> listeners,
    Map<Class<?>, Object> services,
    Clock clock,
    ThreadFactory threadFactory,
    Duration drainTimeout,
    boolean safeMode,
    boolean shutdownHook,
    CatalogStore store,
    long generation,
    boolean follow,
    List<CatalogListener> catalogListeners,
    UnaryOperator<ProviderSource> tracking) {

  /** Creates a config, copying the collections. */
  public RuntimeConfig {
    listeners = List.copyOf(listeners);
    services = Map.copyOf(services);
    catalogListeners = List.copyOf(catalogListeners);
  }
}
