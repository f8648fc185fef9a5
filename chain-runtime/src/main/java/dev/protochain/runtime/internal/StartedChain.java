package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.VersionRange;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.internal.jfr.ChainEvent;
import dev.protochain.runtime.internal.jfr.CleanupEvent;
import dev.protochain.runtime.internal.jfr.StartupEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One startup's chain, the one shape startup, open and cleanup share: the {@link Plan} it was
 * started from and, at each depth (0 the top, {@code depth() - 1} the base), the provider instance
 * started there and the context of that startup. Startup counts it from the top down and starts it
 * from the base up, open walks it from the base up, cleanup from the top down. Not changed once a
 * session holds it, and shared by the sessions whose startups met the same instances and contexts
 * (see {@link Plan#share}).
 */
final class StartedChain {

  private final Plan plan;
  private final Provider[] providers;
  private final Contexts.Startup[] contexts;
  private final String runtime;

  private StartedChain(Plan plan, String runtime) {
    this.plan = plan;
    this.runtime = runtime;
    this.providers = new Provider[plan.depth()];
    this.contexts = new Contexts.Startup[plan.depth()];
  }

  /**
   * Starts {@code plan}'s chain for a caller asking for {@code versions}: the base first, then each
   * layer over it. On failure, what was started is cleaned up top-down and every count is as
   * before.
   *
   * @throws ProtochainException {@code VERSION_NOT_SUPPORTED} or {@code PROVIDER_FAILED_INIT}
   *     naming the chain, the provider and its depth; the rollback's failures are suppressed
   */
  static StartedChain start(Plan plan, VersionRange versions, Contexts.Services services)
      throws ProtochainException {
    StartupEvent event = new StartupEvent();
    event.begin();
    StartedChain chain = new StartedChain(plan, services.runtimeName());
    chain.start(versions, services);
    event.end();
    if (event.shouldCommit()) {
      chain.describe(event);
      event.version(chain.contexts[0].version().toString());
      event.commit();
    }
    return plan.share(chain);
  }

  /** Returns whether {@code other} started the same provider instances with the same contexts. */
  @SuppressWarnings("ReferenceEquality") // the same instances: identity is the question
  boolean sameAs(StartedChain other) {
    if (other.plan != plan) {
      return false;
    }
    for (int d = 0; d < providers.length; d++) {
      if (other.providers[d] != providers[d] || other.contexts[d] != contexts[d]) {
        return false;
      }
    }
    return true;
  }

  /** Fills the chain fields of a JFR event: entry, top provider, depth, counts after the step. */
  private void describe(ChainEvent event) {
    StringBuilder counts = new StringBuilder();
    for (ProviderSlot slot : plan.slots) {
      counts.append(counts.length() == 0 ? "" : ", ").append(slot.entry().name()).append('=');
      counts.append(slot.count());
    }
    event.chain(
        runtime,
        plan.target.id(),
        plan.target.name(),
        plan.slots[0].entry().name(),
        plan.slots.length,
        plan.slots[0].count(),
        counts.toString());
  }

  /**
   * Counts a startup of each provider, top-down, each agreeing its version within the range the one
   * above asked for; then starts each, from the base up. On failure, cleans up the providers it
   * started (those below the one that failed, top-down), then releases the counts it took that
   * remain, from the failing depth up, and rethrows: a loop, so that a startup parked in a
   * provider's lock or hook is no deeper for a longer chain.
   */
  private void start(VersionRange requested, Contexts.Services services)
      throws ProtochainException {
    CatalogEntry target = plan.target;
    int counted = 0;
    try {
      VersionRange asked = requested;
      for (int depth = 0; depth < providers.length; depth++) {
        ProviderSlot slot = plan.slots[depth];
        ProviderDescriptor d = slot.descriptor();
        Plan.Negotiated agreed = plan.negotiate(depth, asked, d.versions());
        if (agreed == null) {
          throw new ProtochainException(
              ProtochainException.Code.VERSION_NOT_SUPPORTED,
              "startup of "
                  + target
                  + ": "
                  + slot.describe()
                  + " at depth "
                  + depth
                  + " supports versions "
                  + d.versions()
                  + ", none in the requested "
                  + asked);
        }
        providers[depth] = slot.acquire(target, depth);
        counted++;
        contexts[depth] = plan.context(depth, agreed.version(), services);
        asked = agreed.below();
      }
    } catch (ProtochainException | RuntimeException | Error e) {
      rollBack(e, providers.length, counted);
      throw e;
    }
    for (int depth = providers.length - 1; depth >= 0; depth--) {
      try {
        providers[depth].startup(contexts[depth]);
      } catch (IOException | RuntimeException e) {
        ProtochainException failure =
            plan.slots[depth].failedAt("startup of " + target, depth, "start", e);
        rollBack(failure, depth + 1, depth + 1);
        throw failure;
      } catch (Error e) {
        rollBack(e, depth + 1, depth + 1);
        throw e;
      }
    }
  }

  /**
   * Undoes a failed startup: cleans up the providers started from {@code startedFrom} down, then
   * releases the counts of depths {@code counted - 1} to 0, in that order; adds the rollback's
   * failures to {@code failure}, suppressed.
   */
  private void rollBack(Throwable failure, int startedFrom, int counted) {
    List<Throwable> rollback = new ArrayList<>(cleanup(startedFrom));
    for (int depth = counted - 1; depth >= 0; depth--) {
      rollback.addAll(plan.slots[depth].release("rollback of ", plan.target, depth));
    }
    rollback.forEach(failure::addSuppressed);
  }

  CatalogEntry target() {
    return plan.target;
  }

  int depth() {
    return providers.length;
  }

  /** Returns the chain's slots, top first; the caller must not change the array. */
  ProviderSlot[] slots() {
    return plan.slots;
  }

  ProviderSlot slot(int depth) {
    return plan.slots[depth];
  }

  Provider provider(int depth) {
    return providers[depth];
  }

  Contexts.Startup context(int depth) {
    return contexts[depth];
  }

  /**
   * Cleans up the whole chain, top first, as {@link #cleanup(int)} does, and tells JFR how long it
   * took; returns the failures.
   */
  List<Throwable> cleanupAll() {
    CleanupEvent event = new CleanupEvent();
    event.begin();
    List<Throwable> failures = cleanup(0);
    for (Throwable f : failures) {
      plan.slots[0].log().failed(f);
    }
    event.end();
    if (event.shouldCommit()) {
      describe(event);
      event.failures(failures.size());
      event.commit();
    }
    return failures;
  }

  /**
   * Cleans up the providers from {@code from} down to the base, top first: each provider's cleanup
   * hook, then its count. Every step runs whatever failed before; returns the failures.
   */
  List<Throwable> cleanup(int from) {
    List<Throwable> failures = List.of(); // allocated on the first failure: the usual path has none
    for (int d = from; d < providers.length; d++) {
      ProviderSlot slot = plan.slots[d];
      try {
        providers[d].cleanup(contexts[d]);
      } catch (IOException | RuntimeException e) {
        failures = add(failures, List.of(slot.failure("failed to clean up", e)));
      }
      failures = add(failures, slot.release("for ", plan.target, d));
    }
    return failures;
  }

  private static List<Throwable> add(List<Throwable> to, List<Throwable> more) {
    if (more.isEmpty()) {
      return to;
    }
    List<Throwable> out = to.isEmpty() ? new ArrayList<>() : to;
    out.addAll(more);
    return out;
  }
}
