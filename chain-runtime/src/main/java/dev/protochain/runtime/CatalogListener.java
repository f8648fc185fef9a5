package dev.protochain.runtime;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Hears what a runtime following its home's catalog ({@link ChainRuntime.Builder#followCatalog})
 * does with the catalog file: each generation it takes, and each catalog it refuses to take.
 *
 * <p>Calls come from the runtime's follower thread, one at a time, in order. A listener that throws
 * is logged and otherwise ignored.
 */
@FunctionalInterface
public interface CatalogListener {

  /** The runtime took {@code taken}: its next startups use that catalog. */
  void taken(CatalogGeneration taken);

  /**
   * The catalog file could not be read as a valid catalog; the runtime keeps generation {@code
   * kept}. Told once per run of bad reads: the next report follows a generation taken in between.
   * Default: nothing.
   */
  default void refused(Path file, IOException problem, long kept) {}
}
