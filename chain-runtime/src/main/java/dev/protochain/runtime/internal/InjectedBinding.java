package dev.protochain.runtime.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.ProviderBinding;
import java.util.function.Supplier;

/**
 * A binding the runtime can load: it carries the Guice module that binds {@link Provider} (and, for
 * a plugin, installs the plugin's own modules). Internal, so that Guice stays out of the public
 * signatures; {@link ProviderBinding#ofClass} and {@link ProviderBinding#ofFactory} make these.
 */
public interface InjectedBinding extends ProviderBinding {

  /**
   * Returns the module installed in the provider's own injector, binding {@link Provider}; it may
   * bind whatever else the provider injects.
   */
  Module module();

  /** See {@link ProviderBinding#ofClass}. */
  static InjectedBinding ofClass(ProviderDescriptor descriptor, Class<? extends Provider> type) {
    return of(
        descriptor,
        new AbstractModule() {
          @Override
          protected void configure() {
            bind(type); // explicit: no just-in-time binding
            bind(Provider.class).to(type);
          }
        });
  }

  /** See {@link ProviderBinding#ofFactory}. */
  static InjectedBinding ofFactory(
      ProviderDescriptor descriptor, Supplier<? extends Provider> factory) {
    return of(
        descriptor,
        new AbstractModule() {
          @Override
          protected void configure() {
            bind(Provider.class).toProvider(factory::get);
          }
        });
  }

  private static InjectedBinding of(ProviderDescriptor descriptor, Module module) {
    return new InjectedBinding() {
      @Override
      public ProviderDescriptor descriptor() {
        return descriptor;
      }

      @Override
      public Module module() {
        return module;
      }
    };
  }
}
