package dev.protochain.runtime;

import dev.protochain.api.Session;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A child JVM for {@link ForeignHomeTest}: starts the entry {@code args[1]} of the home {@code
 * args[0]} with the home's plugins, as whichever user it runs as; prints {@code started} and exits
 * 0, or prints the error's message and exits 1.
 */
public final class PluginLoadMain {

  private PluginLoadMain() {}

  public static void main(String[] args) {
    ProtochainHome home = ProtochainHome.of(Path.of(args[0]));
    try {
      Catalog catalog = CatalogStore.open(home).read().catalog();
      try (ChainRuntime runtime =
              ChainRuntime.builder()
                  .catalog(catalog)
                  .source(home.plugins().source(catalog.plugins()))
                  .shutdownHook(false)
                  .build();
          Session session = runtime.startup(args[1])) {
        System.out.println("started " + args[1]);
      }
    } catch (IOException e) {
      System.out.println(e.getMessage());
      System.exit(1);
    }
  }
}
