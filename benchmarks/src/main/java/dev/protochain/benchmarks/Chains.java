package dev.protochain.benchmarks;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.testkit.internal.ProbeLayer;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Builds runtimes whose catalogs hold chains of pass-through layers. */
final class Chains {

  private Chains() {}

  /**
   * Returns the built-in catalog with {@code depth} pass-through layers ({@code pass1} at the
   * bottom) stacked over the base named {@code base}; the top chain is named by {@link #top}.
   */
  static Catalog catalog(String base, int depth) throws IOException {
    ProviderDescriptor pass = ProviderDescriptor.of(ProbeLayer.class);
    Catalog c = Catalog.builtin();
    String over = base;
    for (int i = 1; i <= depth; i++) {
      CatalogEntry target = c.entry(over).orElseThrow();
      c = c.installLayer("pass" + i, pass.id(), Map.of(), List.of(target.id()));
      over = "pass" + i + "-" + over;
    }
    return c.checkValid("benchmark catalog");
  }

  /** Returns the name of the top chain {@link #catalog} built. */
  static String top(String base, int depth) {
    StringBuilder name = new StringBuilder(base);
    for (int i = 1; i <= depth; i++) {
      name.insert(0, "pass" + i + "-");
    }
    return name.toString();
  }

  /** Returns a runtime over {@link #catalog}, with no listener and no shutdown hook. */
  static ChainRuntime runtime(String base, int depth) throws IOException {
    return ChainRuntime.builder()
        .name("benchmark")
        .catalog(catalog(base, depth))
        .source(ProviderSource.of(List.of(ProbeLayer.class)))
        .shutdownHook(false)
        .build();
  }
}
