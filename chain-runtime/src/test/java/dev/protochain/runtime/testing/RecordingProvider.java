package dev.protochain.runtime.testing;

import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.StartupContext;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/** The hooks shared by {@link RecordingLayer} and {@link RecordingBase}. */
abstract class RecordingProvider implements Provider {

  final String name;
  final Recorder recorder;
  private final AtomicBoolean loaded = new AtomicBoolean();
  private final AtomicBoolean unloaded = new AtomicBoolean();
  private volatile ProviderContext context;

  RecordingProvider(String name, Recorder recorder) {
    recorder.hookUnchecked(name, Phase.CONSTRUCT);
    this.name = name;
    this.recorder = recorder;
  }

  final void checkLoaded(String hook) {
    if (!loaded.get() || unloaded.get()) {
      recorder.violation(hook + " on " + name + " while not loaded");
    }
  }

  /** Returns the context given at load. */
  public final ProviderContext context() {
    return context;
  }

  @Override
  public void load(ProviderContext context) throws IOException {
    if (!loaded.compareAndSet(false, true)) {
      recorder.violation("second load of one instance of " + name);
    }
    this.context = context;
    recorder.hook(name, Phase.LOAD);
    recorder.loaded(name);
  }

  @Override
  public void startup(StartupContext context) throws IOException {
    checkLoaded("startup");
    recorder.hook(name, Phase.STARTUP);
  }

  @Override
  public void cleanup(StartupContext context) throws IOException {
    checkLoaded("cleanup");
    recorder.hook(name, Phase.CLEANUP);
  }

  @Override
  public long drain(Instant deadline) throws IOException {
    checkLoaded("drain");
    recorder.hook(name, Phase.DRAIN);
    return 0;
  }

  @Override
  public void unload() throws IOException {
    checkLoaded("unload");
    unloaded.set(true);
    recorder.unloaded(name);
    recorder.hook(name, Phase.UNLOAD);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "["
        + name
        + (loaded.get() && !unloaded.get() ? ", loaded" : "")
        + "]";
  }
}
