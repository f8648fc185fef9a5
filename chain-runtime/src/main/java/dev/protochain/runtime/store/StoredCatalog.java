package dev.protochain.runtime.store;

import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.store.internal.CatalogJson;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A catalog as read from, or written to, a catalog file: the catalog and its generation, which
 * rises by one with every write.
 *
 * @param catalog the catalog, valid
 * @param generation the generation, 1 for the file a first use creates
 */
public record StoredCatalog(Catalog catalog, long generation) {

  /**
   * Creates a stored catalog.
   *
   * @throws IllegalArgumentException if {@code generation} is below 1
   */
  public StoredCatalog {
    Objects.requireNonNull(catalog, "catalog");
    if (generation < 1) {
      throw new IllegalArgumentException("generation " + generation + " (expected: >= 1)");
    }
  }

  /**
   * Returns this catalog as its catalog file holds it: JSON, schema version 1, ending in a newline.
   */
  public String toJson() {
    return new String(CatalogJson.write(this), StandardCharsets.UTF_8);
  }
}
