package dev.protochain.runtime;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import dev.protochain.runtime.internal.RealChainRuntime;
import dev.protochain.runtime.internal.RuntimeConfig;

/**
 * Binds a {@link ChainRuntime}; built by {@link ChainRuntime.Builder}. It only binds: no I/O and no
 * startup happen in {@link #configure()}. Each provider the runtime loads gets an injector of its
 * own holding its entry and settings, not a child of this one (a Guice parent would keep the keys
 * of its children's bindings, and so an unloaded plugin's classes, reachable).
 */
final class ChainRuntimeModule extends AbstractModule {

  private final RuntimeConfig config;

  ChainRuntimeModule(RuntimeConfig config) {
    this.config = config;
  }

  @Override
  protected void configure() {
    bind(RuntimeConfig.class).toInstance(config);
    bind(ChainRuntime.class).to(RealChainRuntime.class).in(Singleton.class);
  }
}
