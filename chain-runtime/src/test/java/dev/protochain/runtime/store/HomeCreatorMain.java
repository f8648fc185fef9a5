package dev.protochain.runtime.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A child JVM for {@link HomeSafetyTest}: creates the home in {@code args[0]} from nothing (its
 * catalog, a second generation so that there is a backup, its lock) and stores the plugin jar
 * {@code args[1]} in it, under whatever umask it was started with.
 */
public final class HomeCreatorMain {

  private HomeCreatorMain() {}

  public static void main(String[] args) throws IOException {
    ProtochainHome home = ProtochainHome.of(Path.of(args[0]));
    CatalogStore store = CatalogStore.open(home);
    store.read();
    store.update(
        "install a layer",
        c -> c.installLayer("x", CatalogStoreTest.LAYER, Map.of(), List.of(1001)));
    home.plugins().add(Path.of(args[1]));
  }
}
