package dev.protochain.runtime.store;

import dev.protochain.api.CatalogEntry;
import dev.protochain.runtime.Catalog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A child JVM for {@link CatalogStoreCrashTest}: rewrites the catalog of the home in {@code
 * args[0]} in a loop until it is killed, each generation {@code g} holding {@link #expected(long)
 * expected(g)}. It first warms up without writing, prints {@code ready} and waits for a line on its
 * input, so that its start overlaps the life of the child before it. Then, before each write it
 * prints {@code writing <g>}, after it {@code wrote <g>}, so that its killer knows which
 * generations the file may hold.
 */
public final class CatalogRewriterMain {

  static final UUID LAYER = UUID.fromString("00000000-0000-0000-0000-0000000000c7");

  private CatalogRewriterMain() {}

  /**
   * Returns generation {@code g}'s catalog: the built-in one for 1, then a layer over targets and
   * with a padding that both change with {@code g}, so that files of neighbouring generations
   * differ in content and length.
   */
  static Catalog expected(long g) {
    if (g == 1) {
      return Catalog.builtin();
    }
    List<Integer> targets =
        List.of(List.of(1001), List.of(1001, 1005), List.of(1002, 1003, 1006)).get((int) (g % 3));
    return Catalog.builtin()
        .installLayer(
            "rewrite",
            LAYER,
            Map.of("generation", Long.toString(g), "padding", "x".repeat((int) (g % 7) * 700)),
            targets);
  }

  /** Returns the generation a catalog written by this class says it is. */
  static long generationOf(Catalog catalog) {
    return catalog
        .entry("rewrite")
        .map(CatalogEntry::settings)
        .map(s -> Long.parseLong(s.get("generation")))
        .orElse(1L);
  }

  public static void main(String[] args) throws IOException {
    CatalogStore store = CatalogStore.open(ProtochainHome.of(Path.of(args[0])));
    StoredCatalog warm = store.read();
    if (new StoredCatalog(expected(warm.generation() + 1), warm.generation() + 1)
        .toJson()
        .isEmpty()) {
      throw new IllegalStateException("no JSON"); // warms the writing path up, without writing
    }
    System.out.println("ready");
    System.out.flush();
    if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine()
        == null) {
      return; // not needed after all
    }
    long generation = store.read().generation();
    while (true) {
      long next = generation + 1;
      System.out.println("writing " + next);
      System.out.flush();
      CatalogChange change =
          store.update("rewrite the catalog", catalog -> expected(generationOf(catalog) + 1));
      generation = change.after().generation();
      if (generation != next) {
        throw new IllegalStateException("wrote generation " + generation + ", expected " + next);
      }
      System.out.println("wrote " + generation);
      System.out.flush();
    }
  }
}
