package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Settings;
import dev.protochain.api.Version;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.api.spi.RuntimeServices;
import dev.protochain.api.spi.StartupContext;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/** The immutable contexts the runtime hands providers. */
final class Contexts {

  private Contexts() {}

  record Load(
      CatalogEntry entry,
      ProviderDescriptor descriptor,
      Settings settings,
      RuntimeServices services)
      implements ProviderContext {

    /** Returns the provider's logger, routed as {@link Logs#provider} says. */
    @Override
    public System.Logger logger() {
      return Logs.provider(descriptor.className());
    }
  }

  record Startup(Version version, CatalogEntry entry, int depth, RuntimeServices services)
      implements StartupContext {}

  /** The one services object of a runtime, handed unchanged to every provider of every chain. */
  static final class Services implements RuntimeServices {
    private final String name;
    private final Clock clock;
    private final Map<Class<?>, Object> objects;
    private final ThreadFactory threads;

    Services(String name, Clock clock, Map<Class<?>, Object> objects, ThreadFactory threads) {
      this.name = name;
      this.clock = clock;
      this.objects = objects;
      this.threads = Threads.forRuntime(threads, name);
    }

    @Override
    public String runtimeName() {
      return name;
    }

    @Override
    public Clock clock() {
      return clock;
    }

    @Override
    public <T> Optional<T> find(Class<T> type) {
      return Optional.ofNullable(objects.get(type)).map(type::cast);
    }

    @Override
    public ThreadFactory threadFactory() {
      return threads;
    }

    @Override
    public String toString() {
      return "RuntimeServices[" + name + "]";
    }
  }
}
