package dev.protochain.runtime;

import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.internal.InjectedBinding;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * One load's worth of a provider: its descriptor and how to make it. The runtime asks its {@link
 * ProviderSource} for a fresh binding at every load and {@linkplain #close() closes} it at the
 * matching unload; a plugin's binding owns the plugin's class loader and closes it then. A source
 * returns bindings made by {@link #ofClass} or {@link #ofFactory}, or by another source's {@link
 * ProviderSource#bind}: the runtime loads only those.
 */
public interface ProviderBinding extends Closeable {

  /** Returns the provider's descriptor. */
  ProviderDescriptor descriptor();

  /**
   * Returns the class loader the provider's classes come from; the runtime makes it the context
   * class loader while the provider loads, so threads it starts there inherit it.
   */
  default ClassLoader classLoader() {
    return ProviderBinding.class.getClassLoader();
  }

  /** Returns where the provider's classes come from: the class path, or a plugin jar. */
  default Origin origin() {
    return new Origin.ClassPath();
  }

  /**
   * Where a binding's classes come from. A plugin's failures are reported detached from its
   * classes, and its messages name the jar.
   */
  sealed interface Origin {

    /** The runtime's own class loader: the class path, or classes given in code. */
    record ClassPath() implements Origin {
      /** Returns {@code class path}. */
      @Override
      public String toString() {
        return "class path";
      }
    }

    /**
     * A plugin jar, loaded in a class loader of its own.
     *
     * @param jar the jar in the plugin store
     */
    record Plugin(Path jar) implements Origin {
      /** Returns {@code plugin jar <path>}. */
      @Override
      public String toString() {
        return "plugin jar " + jar;
      }
    }
  }

  /** Releases what the binding holds; called once, after the provider was unloaded. */
  @Override
  default void close() throws IOException {}

  /**
   * Returns a binding that makes the provider with {@code type}, bound explicitly so that no
   * just-in-time binding is made for it.
   */
  static ProviderBinding ofClass(ProviderDescriptor descriptor, Class<? extends Provider> type) {
    return InjectedBinding.ofClass(descriptor, type);
  }

  /**
   * Returns a binding that gets each load's instance from {@code factory}; for tests and for
   * applications that build providers themselves.
   */
  static ProviderBinding ofFactory(
      ProviderDescriptor descriptor, Supplier<? extends Provider> factory) {
    return InjectedBinding.ofFactory(descriptor, factory);
  }
}
