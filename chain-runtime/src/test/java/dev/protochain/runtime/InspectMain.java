package dev.protochain.runtime;

import dev.protochain.api.ProtochainException;
import java.nio.file.Path;

/**
 * A child JVM for {@link ZipBombTest}: inspects the plugin jar {@code args[0]} and prints the
 * descriptor (exit 0) or the refusal's message (exit 1).
 */
public final class InspectMain {

  private InspectMain() {}

  public static void main(String[] args) {
    try {
      System.out.println(PluginStore.inspect(Path.of(args[0])));
    } catch (ProtochainException e) {
      System.out.println(e.getMessage());
      System.exit(1);
    }
  }
}
