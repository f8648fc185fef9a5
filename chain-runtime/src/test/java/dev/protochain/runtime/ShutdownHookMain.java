package dev.protochain.runtime;

import dev.protochain.api.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A child JVM for {@link ShutdownHookTest}: starts two sessions on the chain given as the second
 * argument, writes every lifecycle event to the file given as the first, and exits without any
 * cleanup.
 */
public final class ShutdownHookMain {

  private ShutdownHookMain() {}

  /** Runs the child: {@code <events file> <chain name>}. */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    ChainRuntime runtime =
        ChainRuntime.builder()
            .name("hook")
            .catalog(ChainDataPathTest.stockCatalog(Map.of()))
            .listener(
                e -> {
                  try {
                    Files.writeString(
                        out,
                        e.type() + " " + e.provider().name() + " " + e.count() + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                  } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                  }
                })
            .build();
    Session first = runtime.startup(args[1]);
    Session second = runtime.startup(args[1]);
    System.out.println("started " + first.entry().name() + " twice; " + second.version());
    System.exit(0); // no cleanup: the runtime's shutdown hook must do it
  }
}
