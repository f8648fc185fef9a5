package dev.protochain.runtime;

import dev.protochain.api.CatalogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A catalog generation a runtime following its home's catalog took, and what changed from the one
 * before [{@code WSAProviderConfigChange}].
 *
 * @param generation the generation taken, as the catalog file numbers it
 * @param previous the generation it replaced
 * @param catalog the catalog of the generation taken
 * @param added entries whose id the previous generation did not have
 * @param removed entries of the previous generation whose id is gone
 * @param changed entries whose id both have, as the new generation has them, where anything else
 *     differs (chain, settings, provider, flags)
 */
public record CatalogGeneration(
    long generation,
    long previous,
    Catalog catalog,
    List<CatalogEntry> added,
    List<CatalogEntry> removed,
    List<CatalogEntry> changed) {

  /** Creates a generation, copying the lists. */
  public CatalogGeneration {
    Objects.requireNonNull(catalog, "catalog");
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    changed = List.copyOf(changed);
  }

  /** Returns generation {@code generation} of {@code next}, compared with {@code before}. */
  public static CatalogGeneration between(
      Catalog before, long previous, Catalog next, long generation) {
    List<CatalogEntry> added = new ArrayList<>();
    List<CatalogEntry> changed = new ArrayList<>();
    for (CatalogEntry e : next.entries()) {
      Optional<CatalogEntry> old = before.entry(e.id());
      if (old.isEmpty()) {
        added.add(e);
      } else if (!old.get().equals(e)) {
        changed.add(e);
      }
    }
    List<CatalogEntry> removed = new ArrayList<>();
    for (CatalogEntry e : before.entries()) {
      if (next.entry(e.id()).isEmpty()) {
        removed.add(e);
      }
    }
    return new CatalogGeneration(generation, previous, next, added, removed, changed);
  }

  /** Returns {@code generation 4 (was 3): 2 added, 0 removed, 1 changed}. */
  @Override
  public String toString() {
    return "generation "
        + generation
        + " (was "
        + previous
        + "): "
        + added.size()
        + " added, "
        + removed.size()
        + " removed, "
        + changed.size()
        + " changed";
  }
}
