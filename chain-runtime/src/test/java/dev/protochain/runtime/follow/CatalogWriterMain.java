package dev.protochain.runtime.follow;

import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.store.CatalogChange;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import dev.protochain.runtime.testing.TestCatalogs;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * A separate process that writes a catalog to a home, as {@code protochain catalog install} would:
 * {@code CatalogWriterMain HOME VERSION} writes {@link #version(int)} through the home's store and
 * prints {@code wrote GENERATION INSTANT}, the instant taken right after the write returned.
 */
public final class CatalogWriterMain {

  static final int BASE = 1101;
  static final int A = 2001;
  static final int B = 2002;
  static final int APP = 3001;

  private CatalogWriterMain() {}

  /**
   * Returns catalog version 1, {@code app = [a, base]}, or version 2, which renames {@code a}'s own
   * entry (the same id, a changed entry) and installs the layer {@code b} over it: {@code app = [b,
   * a-v2, base]}. Any other version {@code n} is version 2 with a setting {@code n} on {@code b}.
   */
  static Catalog version(int version) {
    TestCatalogs c = new TestCatalogs().base(BASE, "base", "base");
    if (version == 1) {
      return c.layer(A, "a", "a").chain(APP, "app", A, BASE).build();
    }
    Map<String, String> settings = version == 2 ? Map.of() : Map.of("n", "" + version);
    return c.layer(A, "a-v2", "a")
        .layer(B, "b", "b", settings)
        .chain(APP, "app", B, A, BASE)
        .build();
  }

  public static void main(String[] args) throws Exception {
    CatalogStore store = CatalogStore.open(ProtochainHome.of(Path.of(args[0])));
    Catalog next = version(Integer.parseInt(args[1]));
    CatalogChange change = store.update("install layer 'b'", current -> next);
    Instant wrote = Instant.now();
    System.out.println("wrote " + change.after().generation() + " " + wrote);
  }
}
