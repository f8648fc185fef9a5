package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ProviderSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The built-in catalog: the base entries the base providers on the class path declare in their
 * descriptors ({@link dev.protochain.api.spi.ProviderInfo#entries()}), in the order of their ids.
 * The runtime learns them by reading the descriptors through {@link java.util.ServiceLoader}, so it
 * needs no compile dependency on the artifact of the bases.
 */
public final class BuiltinBases {

  /**
   * Where the built-in bases come from, for messages about a catalog or class path without them: a
   * runtime embedded as a library has them when its users keep the runtime's own dependencies.
   */
  public static final String ARTIFACT =
      "the built-in bases come from the artifact protochain-base-provider, which must be on the"
          + " class path";

  private BuiltinBases() {}

  private static final class Holder {
    static final Catalog CATALOG = of(new ClasspathProviderSource(Catalog.class.getClassLoader()));
  }

  /** Returns the built-in catalog of the class path of the runtime, read once. */
  public static Catalog catalog() {
    return Holder.CATALOG;
  }

  /** Returns the catalog of the base entries the providers of {@code source} declare. */
  public static Catalog of(ProviderSource source) {
    List<CatalogEntry> bases = new ArrayList<>();
    source.descriptors().forEach(d -> bases.addAll(d.entries()));
    bases.sort(Comparator.comparingInt(CatalogEntry::id));
    return Catalog.of(bases);
  }
}
