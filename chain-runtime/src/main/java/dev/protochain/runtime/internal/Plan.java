package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Version;
import dev.protochain.api.VersionRange;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogProblem;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * An entry's chain, resolved once per runtime (the catalog snapshot never changes): its entries and
 * slots, top first, and at each depth the startup context for the version last negotiated there
 * (immutable, so shared by the sessions). Thread-safe.
 */
final class Plan {
  final CatalogEntry target;
  final CatalogEntry[] levels;
  final ProviderSlot[] slots;
  private final AtomicReferenceArray<Contexts.Startup> contexts;
  private final AtomicReferenceArray<Negotiated> negotiated;

  // The chain last started over this plan, which the startups that met the same provider instances
  // and contexts share (all of them while no provider reloads and no one asks for other versions):
  // a session then keeps no chain of its own, at thousands of sessions a chain's worth each. Weak:
  // it must keep no unloaded provider, and so no plugin class loader, reachable once its sessions
  // have closed.
  private volatile WeakReference<StartedChain> started = new WeakReference<>(null);

  /**
   * What a depth last agreed: for {@code requested}, {@code version}, and the range asked below.
   */
  record Negotiated(VersionRange requested, Version version, VersionRange below) {}

  /**
   * Resolves {@code target}'s chain in {@code catalog}, takes each provider's slot from {@code
   * slots}, and checks that each layer finds below it the services it requires.
   *
   * @throws ProtochainException {@code CATALOG_INVALID} naming the chain and the layer whose
   *     services are missing; {@code INVALID_PROVIDER} if a provider is missing or of the wrong
   *     kind
   */
  static Plan of(CatalogEntry target, Catalog catalog, Function<CatalogEntry, ProviderSlot> slots)
      throws ProtochainException {
    List<CatalogEntry> levels = catalog.resolve(target);
    CatalogEntry base = levels.get(levels.size() - 1);
    ProviderSlot[] slotted = new ProviderSlot[levels.size()];
    for (int depth = 0; depth < slotted.length; depth++) {
      slotted[depth] = slots.apply(levels.get(depth));
      if (depth < slotted.length - 1) {
        Optional<CatalogProblem> missing =
            Compatibility.below(
                target.toString(), List.of(target.id()), slotted[depth].descriptor(), base);
        if (missing.isPresent()) {
          throw new ProtochainException(
              ProtochainException.Code.CATALOG_INVALID, missing.get().message());
        }
      }
    }
    return new Plan(target, levels, slotted);
  }

  private Plan(CatalogEntry target, List<CatalogEntry> levels, ProviderSlot[] slots) {
    this.target = target;
    this.levels = levels.toArray(new CatalogEntry[0]);
    this.slots = slots;
    this.contexts = new AtomicReferenceArray<>(slots.length);
    this.negotiated = new AtomicReferenceArray<>(slots.length);
  }

  /** Returns the number of providers in the chain; the base is at {@code depth() - 1}. */
  int depth() {
    return slots.length;
  }

  /** Returns what {@code depth} agrees for {@code requested}, or null if its provider refuses. */
  Negotiated negotiate(int depth, VersionRange requested, VersionRange supported) {
    Negotiated n = negotiated.get(depth);
    if (n != null && n.requested().equals(requested)) {
      return n;
    }
    Version v = supported.negotiate(requested).orElse(null);
    if (v == null) {
      return null;
    }
    n = new Negotiated(requested, v, VersionRange.of(supported.min(), v));
    negotiated.set(depth, n);
    return n;
  }

  /**
   * Returns the chain last started over this plan if {@code fresh} started the same instances with
   * the same contexts; otherwise {@code fresh}, which becomes the one to share.
   */
  StartedChain share(StartedChain fresh) {
    StartedChain last = started.get();
    if (last != null && last.sameAs(fresh)) {
      return last;
    }
    started = new WeakReference<>(fresh);
    return fresh;
  }

  Contexts.Startup context(int depth, Version version, Contexts.Services services) {
    Contexts.Startup c = contexts.get(depth);
    if (c == null || !c.version().equals(version)) {
      // A layer gets the chain entry unchanged; the base its own entry.
      c =
          new Contexts.Startup(
              version, depth == levels.length - 1 ? levels[depth] : target, depth, services);
      contexts.set(depth, c);
    }
    return c;
  }
}
