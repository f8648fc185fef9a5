package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.Provider;
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

  StartedChain(Plan plan) {
    this.plan = plan;
    this.providers = new Provider[plan.depth()];
    this.contexts = new Contexts.Startup[plan.depth()];
  }

  /** Records what startup started at {@code depth}; called once per depth, before publication. */
  void started(int depth, Provider provider, Contexts.Startup context) {
    providers[depth] = provider;
    contexts[depth] = context;
  }

  CatalogEntry target() {
    return plan.target;
  }

  int depth() {
    return providers.length;
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
