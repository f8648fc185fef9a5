package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.VersionRange;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One startup's chain, the one shape startup, open and cleanup share: the {@link Plan} it was
 * started from and, at each depth (0 the top, {@code depth() - 1} the base), the provider instance
 * started there and the context of that startup. Startup fills it from the base up, open walks it
 * from the base up, cleanup from the top down. Not changed once a session holds it.
 */
final class StartedChain {

  private final Plan plan;
  private final Provider[] providers;
  private final Contexts.Startup[] contexts;

  private StartedChain(Plan plan) {
    this.plan = plan;
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
    StartedChain chain = new StartedChain(plan);
    chain.start(0, versions, services);
    return chain;
  }

  /**
   * Starts the provider at {@code depth} and, for a layer, everything below it first; on failure,
   * cleans up what this call started, top-down, restores this provider's count and rethrows.
   */
  private void start(int depth, VersionRange requested, Contexts.Services services)
      throws ProtochainException {
    CatalogEntry target = plan.target;
    ProviderSlot slot = plan.slots[depth];
    ProviderDescriptor d = slot.descriptor();
    Plan.Negotiated agreed = plan.negotiate(depth, requested, d.versions());
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
              + requested);
    }
    Provider provider = slot.acquire(target);
    boolean belowStarted = false;
    try {
      if (depth < plan.depth() - 1) {
        start(depth + 1, agreed.below(), services);
        belowStarted = true;
      }
      Contexts.Startup context = plan.context(depth, agreed.version(), services);
      try {
        provider.startup(context);
      } catch (IOException | RuntimeException e) {
        throw slot.failedAt("startup of " + target, depth, "start", e);
      }
      providers[depth] = provider;
      contexts[depth] = context;
    } catch (ProtochainException | RuntimeException | Error e) {
      List<Throwable> rollback = new ArrayList<>();
      if (belowStarted) {
        rollback.addAll(cleanup(depth + 1));
      }
      rollback.addAll(slot.release("rollback of ", target));
      rollback.forEach(e::addSuppressed);
      throw e;
    }
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
      failures = add(failures, slot.release("for ", plan.target));
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
