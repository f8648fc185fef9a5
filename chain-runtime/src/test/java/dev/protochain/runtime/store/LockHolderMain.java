package dev.protochain.runtime.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A child JVM for {@link CatalogStoreTest}: takes the catalog lock of the home in {@code args[0]},
 * prints {@code holding}, and holds it until its standard input ends.
 */
public final class LockHolderMain {

  private LockHolderMain() {}

  public static void main(String[] args) throws IOException {
    CatalogStore store = CatalogStore.open(ProtochainHome.of(Path.of(args[0])));
    store.update(
        "hold the lock for a test",
        catalog -> {
          System.out.println("holding");
          System.out.flush();
          while (System.in.read() >= 0) {
            // wait for the end of input
          }
          return catalog;
        });
  }
}
