package dev.protochain.runtime;

import dev.protochain.api.CatalogEntry;
import java.util.Optional;

/**
 * One step of a provider's lifecycle inside a runtime, as a {@link LifecycleListener} sees it.
 *
 * @param type what happened
 * @param provider the provider's own entry (a layer's own entry or a base entry)
 * @param count the provider's count after the step
 * @param detail a short human-readable addition, such as the chain a startup was for; may be empty
 * @param failure the failure, for {@link Type#FAILURE}; otherwise {@code null}
 */
public record LifecycleEvent(
    Type type, CatalogEntry provider, int count, String detail, Throwable failure) {

  /** What happened. */
  public enum Type {
    /**
     * The provider's count rose by one; the event follows its {@code LOAD} if this was the first.
     */
    STARTUP,
    /** A fresh instance was loaded (count 0 to 1). */
    LOAD,
    /** The provider's count dropped by one; an {@code UNLOAD} follows if it reached 0. */
    CLEANUP,
    /** The provider was unloaded: flushed, closed, freed. */
    UNLOAD,
    /**
     * Bytes held by closed sockets could not be delivered before the deadline; the detail says how
     * many.
     */
    UNDELIVERED,
    /** A step failed; {@link #failure()} says why. */
    FAILURE
  }

  /** Returns the failure, if any. */
  public Optional<Throwable> failureCause() {
    return Optional.ofNullable(failure);
  }

  /** Returns {@code UNLOAD trace (entry 2001) count 0}. */
  @Override
  public String toString() {
    return type
        + " "
        + provider.name()
        + " (entry "
        + provider.id()
        + ") count "
        + count
        + (detail.isEmpty() ? "" : " " + detail);
  }
}
