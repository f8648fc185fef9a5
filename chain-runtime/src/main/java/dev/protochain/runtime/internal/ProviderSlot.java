package dev.protochain.runtime.internal;

import com.google.inject.AbstractModule;
import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.ProvisionException;
import com.google.inject.name.Names;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.NotInitialisedException;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Settings;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.CatalogProblem;
import dev.protochain.runtime.LifecycleEvent;
import dev.protochain.runtime.ProviderBinding;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.ProviderState;
import dev.protochain.runtime.internal.jfr.DrainEvent;
import dev.protochain.runtime.internal.jfr.LoadEvent;
import dev.protochain.runtime.internal.jfr.PluginRefusedEvent;
import dev.protochain.runtime.internal.jfr.ProviderEvent;
import dev.protochain.runtime.internal.jfr.UnloadEvent;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The count and the loaded instance of one provider entry (a layer's own entry or a base entry) in
 * one runtime.
 *
 * <p>The count's transitions 0 to 1 and 1 to 0 happen under a lock. Loading happens under it too,
 * so concurrent first startups load once, each load making a fresh instance in an injector of its
 * own; unloading happens outside it, in state {@link ProviderState#UNLOADING}, during which a
 * startup waits for {@link ProviderState#UNLOADED} and then loads afresh. A startup that finds the
 * count above 0, and a cleanup that finds it above 1, change it with a compare-and-set and take no
 * lock (unless the runtime's lifecycle is observed, see {@link LifecycleLog#ordered}): the provider
 * they meet is loaded and stays so, since the count cannot reach 0 while they hold their part of
 * it, and 0 is left only under the lock, after any unload has finished. Thread-safe.
 */
final class ProviderSlot {

  private final SlotHost host;
  private final CatalogEntry entry;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition settled = lock.newCondition();

  private static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(ProviderSlot.class, "count", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // Changed through COUNT. From 0 to 1 and from 1 to 0 only with the lock held; above 0, also
  // without it (see the class comment).
  private volatile int count;

  // Set with the lock held, before the count leaves 0, and cleared after it reached 0: a startup
  // that counted itself above 0 reads the instance loaded for that count.
  private volatile Provider instance;

  // Guarded by lock.
  private ProviderState state = ProviderState.UNLOADED;
  private ProviderBinding binding;
  private int loads;
  private int unloads;
  private long lastLoadNanos;

  private volatile ProviderDescriptor descriptor;

  ProviderSlot(SlotHost host, CatalogEntry entry) {
    this.host = host;
    this.entry = entry;
  }

  CatalogEntry entry() {
    return entry;
  }

  /**
   * Returns the descriptor of the entry's provider, reading it from the source once.
   *
   * @throws ProtochainException {@code INVALID_PROVIDER} if no source has it or its kind is wrong
   */
  ProviderDescriptor descriptor() throws ProtochainException {
    ProviderDescriptor d = descriptor;
    if (d == null) {
      try {
        ProviderSource source = host.source();
        d =
            source
                .describe(entry.providerId())
                .orElseThrow(
                    () ->
                        new ProtochainException(
                            ProtochainException.Code.INVALID_PROVIDER,
                            Compatibility.missing(entry, source).message()));
        Optional<CatalogProblem> kind = Compatibility.kind(entry, d);
        if (kind.isPresent()) {
          throw new ProtochainException(
              ProtochainException.Code.INVALID_PROVIDER, kind.get().message());
        }
      } catch (ProtochainException e) {
        refused(e);
        throw e;
      }
      descriptor = d;
    }
    return d;
  }

  /** Fills the fields a JFR event of this provider shares: runtime, chain, provider, depth. */
  private void place(ProviderEvent event, CatalogEntry target, int depth) {
    event.provider(
        host.services().runtimeName(), target.id(), target.name(), entry.name(), entry.id(), depth);
  }

  /** Tells JFR that the provider was refused, if it was refused as invalid. */
  private void refused(ProtochainException e) {
    if (e.code() != ProtochainException.Code.INVALID_PROVIDER) {
      return;
    }
    PluginRefusedEvent event = new PluginRefusedEvent();
    if (event.shouldCommit()) {
      event.refused(
          host.services().runtimeName(),
          entry.name(),
          entry.id(),
          entry.providerId().toString(),
          e.code().name(),
          e.getMessage());
      event.commit();
    }
  }

  /** Returns the plugin jar the loaded provider comes from, if it comes from one. */
  private Optional<ProviderBinding.Origin.Plugin> plugin() {
    lock.lock();
    try {
      return binding != null && binding.origin() instanceof ProviderBinding.Origin.Plugin plugin
          ? Optional.of(plugin)
          : Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /** Returns where the loaded provider comes from, as {@code from plugin jar ...}, or nothing. */
  String origin() {
    return plugin().map(p -> " from " + p).orElse("");
  }

  /** Returns {@code provider 'trace' (entry 2001)}. */
  String describe() {
    ProviderDescriptor d = descriptor;
    return "provider '" + (d == null ? entry.name() : d.name()) + "' (entry " + entry.id() + ")";
  }

  /**
   * Counts one startup for {@code target}, loading a fresh instance on the first, and returns the
   * instance.
   *
   * @throws ProtochainException {@code PROVIDER_FAILED_INIT} or {@code INVALID_PROVIDER} if the
   *     load failed; the count is unchanged
   */
  Provider acquire(CatalogEntry target, int depth) throws ProtochainException {
    if (!host.log().ordered()) {
      for (int c = count; c > 0; c = count) {
        if (COUNT.compareAndSet(this, c, c + 1)) {
          host.log().emit(LifecycleEvent.Type.STARTUP, entry, c + 1, "for ", target, null);
          return instance;
        }
      }
    }
    lock.lock();
    try {
      while (state == ProviderState.UNLOADING) {
        settled.awaitUninterruptibly();
      }
      if (count == 0) {
        LoadEvent event = new LoadEvent();
        event.begin();
        long started = System.nanoTime();
        load();
        lastLoadNanos = System.nanoTime() - started;
        event.end();
        if (event.shouldCommit()) {
          place(event, target, depth);
          event.load(loads, origin());
          event.commit();
        }
      }
      // Only this lock's holder moves the count from 0; above 0 startups and cleanups may change it
      // meanwhile, but none takes it to 0.
      int now = (int) COUNT.getAndAdd(this, 1) + 1;
      host.log().emit(LifecycleEvent.Type.STARTUP, entry, now, "for ", target, null);
      return instance;
    } finally {
      lock.unlock();
    }
  }

  // Called with the lock held and count == 0.
  private void load() throws ProtochainException {
    state = ProviderState.LOADING;
    ProviderBinding b = null;
    try {
      ProviderDescriptor d = descriptor();
      b = host.source().bind(entry.providerId());
      Settings settings = settings(d);
      // The provider's own loader is the context loader while it is made and loaded, so the
      // threads it starts there carry it (and a plugin's leaked thread can be found at unload).
      Thread current = Thread.currentThread();
      ClassLoader previous = current.getContextClassLoader();
      current.setContextClassLoader(b.classLoader());
      Provider p;
      try {
        // Each load gets an injector of its own, dropped with the instance at unload. It has no
        // parent: a Guice parent keeps the keys of its children's bindings (its JIT blacklist),
        // and so would keep an unloaded plugin's classes reachable.
        if (!(b instanceof InjectedBinding injected)) {
          throw new ProtochainException(
              ProtochainException.Code.INVALID_PROVIDER,
              describe()
                  + ": "
                  + host.source().name()
                  + " returned a binding the runtime did not make (expected: one from"
                  + " ProviderBinding.ofClass or ofFactory)");
        }
        p =
            Guice.createInjector(new EntryModule(entry, d, settings), injected.module())
                .getInstance(Provider.class);
        p.load(new Contexts.Load(entry, d, settings, host.services()));
      } finally {
        current.setContextClassLoader(previous);
      }
      instance = p;
      binding = b;
      state = ProviderState.RUNNING;
      loads++;
      host.log().emit(LifecycleEvent.Type.LOAD, entry, 0, "load " + loads, "", null);
    } catch (ProtochainException e) {
      abandon(b, e);
      refused(e);
      throw e;
    } catch (IOException | RuntimeException | LinkageError e) {
      boolean plugin = b != null && b.origin() instanceof ProviderBinding.Origin.Plugin;
      Throwable cause = plugin ? DetachedException.detach(unwrap(e)) : unwrap(e);
      String origin = plugin ? " from " + b.origin() : "";
      ProtochainException failure =
          new ProtochainException(
              ProtochainException.Code.PROVIDER_FAILED_INIT,
              describe() + " failed to load" + origin + ": " + cause,
              cause);
      abandon(b, failure);
      throw failure;
    }
  }

  private void abandon(ProviderBinding b, ProtochainException failure) {
    state = ProviderState.UNLOADED;
    if (b != null) {
      try {
        b.close();
      } catch (IOException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
    host.log().emit(LifecycleEvent.Type.FAILURE, entry, 0, "load", "", failure);
  }

  private Settings settings(ProviderDescriptor d) throws ProtochainException {
    List<CatalogProblem> undeclared = Compatibility.settings(entry, d);
    if (!undeclared.isEmpty()) {
      throw new ProtochainException(
          ProtochainException.Code.PROVIDER_FAILED_INIT,
          describe() + " failed to load: " + undeclared.get(0).message());
    }
    Map<String, String> merged = new LinkedHashMap<>(d.defaults());
    merged.putAll(entry.settings());
    return Settings.of(entry.toString(), merged, d.secrets());
  }

  /**
   * Counts one cleanup; on the last, unloads the instance: closes the chain sockets through it,
   * drains, unloads and closes the binding. Returns the failures of those steps; the count drops
   * and the state ends {@link ProviderState#UNLOADED} regardless.
   *
   * @throws NotInitialisedException if the count is 0; nothing changes
   */
  List<Throwable> release(String why, CatalogEntry target, int depth) {
    if (!host.log().ordered()) {
      for (int c = count; c > 1; c = count) {
        if (COUNT.compareAndSet(this, c, c - 1)) {
          host.log().emit(LifecycleEvent.Type.CLEANUP, entry, c - 1, why, target, null);
          return List.of();
        }
      }
    }
    Provider unloading;
    ProviderBinding unbinding;
    lock.lock();
    try {
      int c;
      do {
        c = count;
        if (c == 0) {
          throw new NotInitialisedException(describe() + ": count 0, cleanup 1");
        }
      } while (!COUNT.compareAndSet(this, c, c - 1));
      host.log().emit(LifecycleEvent.Type.CLEANUP, entry, c - 1, why, target, null);
      if (c > 1) {
        return List.of();
      }
      // The count is 0 and only this lock's holder leaves 0: no startup meets the provider now.
      state = ProviderState.UNLOADING;
      unloading = instance;
      unbinding = binding;
    } finally {
      lock.unlock();
    }
    UnloadEvent unload = new UnloadEvent();
    unload.begin();
    List<Throwable> failures = new ArrayList<>();
    try {
      host.sockets().abort(this, describe(), failures);
      DrainEvent drain = new DrainEvent();
      drain.begin();
      try {
        long undelivered = unloading.drain(host.drainDeadline());
        drain.end();
        if (drain.shouldCommit()) {
          place(drain, target, depth);
          drain.drain(undelivered, host.drainTimeout().toMillis());
          drain.commit();
        }
        if (undelivered > 0) {
          host.log().undelivered(entry, undelivered);
        }
      } catch (IOException | RuntimeException e) {
        failures.add(failure("failed to drain", e));
      }
      try {
        unloading.unload();
      } catch (IOException | RuntimeException e) {
        failures.add(failure("failed to unload", e));
      }
      try {
        unbinding.close();
      } catch (IOException | RuntimeException e) {
        failures.add(failure("failed to close its binding", e));
      }
    } finally {
      lock.lock();
      try {
        instance = null;
        binding = null;
        state = ProviderState.UNLOADED;
        unloads++;
        host.log().emit(LifecycleEvent.Type.UNLOAD, entry, 0, "unload " + unloads, "", null);
        settled.signalAll();
      } finally {
        lock.unlock();
      }
      unload.end();
      if (unload.shouldCommit()) {
        place(unload, target, depth);
        unload.unload(unloads, failures.size());
        unload.commit();
      }
    }
    return failures;
  }

  /**
   * Returns {@code t}, or its detached copy if it comes from a plugin (see {@link
   * DetachedException}).
   */
  Throwable detach(Throwable t) {
    return plugin().isPresent() ? DetachedException.detach(t) : t;
  }

  /**
   * Returns the failure of this provider at {@code depth} of a chain: {@code <subject>: provider
   * 'x' (entry 2001)[ from plugin jar ...] at depth 1 failed to <verb>: <cause>}, with the cause
   * detached if it comes from a plugin.
   */
  ProtochainException failedAt(String subject, int depth, String verb, Throwable thrown) {
    Throwable cause = detach(thrown);
    return new ProtochainException(
        ProtochainException.Code.PROVIDER_FAILED_INIT,
        subject
            + ": "
            + describe()
            + origin()
            + " at depth "
            + depth
            + " failed to "
            + verb
            + ": "
            + cause,
        cause);
  }

  ProtochainException failure(String what, Throwable thrown) {
    Throwable cause = detach(thrown);
    ProtochainException e =
        new ProtochainException(
            ProtochainException.Code.PROVIDER_FAILED_INIT,
            describe() + " " + what + ": " + cause,
            cause);
    host.log().emit(LifecycleEvent.Type.FAILURE, entry, count(), what, "", e);
    return e;
  }

  int count() {
    return count;
  }

  ProviderState state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  int loads() {
    lock.lock();
    try {
      return loads;
    } finally {
      lock.unlock();
    }
  }

  /** Returns how long the last load took, in nanoseconds; 0 if there was none. */
  long lastLoadNanos() {
    lock.lock();
    try {
      return lastLoadNanos;
    } finally {
      lock.unlock();
    }
  }

  /** Returns where the lifecycle of this slot's runtime is told. */
  LifecycleLog log() {
    return host.log();
  }

  /** Returns {@code provider 'trace' (entry 2001) RUNNING count 2}. */
  @Override
  public String toString() {
    return describe() + " " + state() + " count " + count();
  }

  private static Throwable unwrap(Throwable e) {
    if ((e instanceof ProvisionException
            || e instanceof ConfigurationException
            || e instanceof CreationException)
        && e.getCause() != null) {
      return e.getCause();
    }
    return e;
  }

  /**
   * Binds what a provider may inject: its entry, descriptor, settings, and each setting by name.
   */
  private static final class EntryModule extends AbstractModule {
    private final CatalogEntry entry;
    private final ProviderDescriptor descriptor;
    private final Settings settings;

    EntryModule(CatalogEntry entry, ProviderDescriptor descriptor, Settings settings) {
      this.entry = entry;
      this.descriptor = descriptor;
      this.settings = settings;
    }

    @Override
    protected void configure() {
      bind(CatalogEntry.class).toInstance(entry);
      bind(ProviderDescriptor.class).toInstance(descriptor);
      bind(Settings.class).toInstance(settings);
      settings.asMap().forEach((k, v) -> bindConstant().annotatedWith(Names.named(k)).to(v));
    }
  }
}
