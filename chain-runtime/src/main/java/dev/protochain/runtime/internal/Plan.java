package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Version;
import dev.protochain.api.VersionRange;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

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

  /**
   * What a depth last agreed: for {@code requested}, {@code version}, and the range asked below.
   */
  record Negotiated(VersionRange requested, Version version, VersionRange below) {}

  Plan(CatalogEntry target, List<CatalogEntry> levels, ProviderSlot[] slots) {
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
