package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.Session;
import dev.protochain.api.SocketType;
import dev.protochain.runtime.CatalogGeneration;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.ProviderState;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime following a home sees a {@code catalog install} made by a separate command-line process
 * [{@code WSAProviderConfigChange}]: its next session uses the new chain while an open session
 * keeps the old one, and each provider unloads when its last use ends.
 */
class FollowCatalogTest {

  static final int TCP4 = 1001;
  static final int COALESCE = 2001;
  static final int TRACE = 2002;

  @TempDir Path dir;

  @Test
  @Timeout(90)
  void aRuntimeFollowingTheHomeSeesAnInstallByAnotherProcess() throws Exception {
    Path home = dir.resolve("home");
    new Cli(home).ok("catalog", "install", "--layer", "coalesce", "--over", "tcp4");
    CatalogStore store = CatalogStore.open(ProtochainHome.of(home));
    List<CatalogGeneration> taken = Collections.synchronizedList(new ArrayList<>());
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .name("follow-cli")
            .store(store)
            .followCatalog(true)
            .catalogListener(taken::add)
            .shutdownHook(false)
            .build()) {
      Session old = runtime.startup(AddressFamily.INET, SocketType.STREAM, Protocol.TCP);
      assertEquals("coalesce-tcp4", old.entry().name());
      assertEquals(Map.of(COALESCE, 1, TCP4, 1), runtime.counts());
      assertThrows(ProtochainException.class, () -> runtime.startup("trace-tcp4"));

      long started = System.nanoTime();
      Process install =
          new ProcessBuilder(
                  Cli.childCommand(
                      home, "catalog", "install", "--layer", "trace", "--over", "tcp4"))
              .redirectErrorStream(true)
              .start();
      String out = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(install.waitFor(60, TimeUnit.SECONDS), out);
      assertEquals(0, install.exitValue(), out);
      long exited = System.nanoTime();
      while (runtime.catalog().entry("trace-tcp4").isEmpty()) {
        assertTrue(System.nanoTime() - exited < TimeUnit.SECONDS.toNanos(1), "not followed in 1 s");
        Thread.sleep(1);
      }
      System.out.printf(
          Locale.ROOT,
          "follow: 'catalog install' in a separate process (%d ms to run) reached the runtime"
              + " within %d ms of its exit%n",
          TimeUnit.NANOSECONDS.toMillis(exited - started),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exited));

      // The next session uses the new chain; the open one keeps its own.
      Session next = runtime.startup("trace-tcp4");
      assertEquals(List.of(TRACE, TCP4), next.entry().chain().ids());
      assertEquals(List.of(COALESCE, TCP4), old.entry().chain().ids());
      assertEquals(Map.of(COALESCE, 1, TRACE, 1, TCP4, 2), runtime.counts());

      old.close();
      assertEquals(Map.of(COALESCE, 0, TRACE, 1, TCP4, 1), runtime.counts());
      assertEquals(ProviderState.UNLOADED, runtime.state(COALESCE));
      assertEquals(ProviderState.RUNNING, runtime.state(TRACE));

      next.close();
      assertEquals(Map.of(COALESCE, 0, TRACE, 0, TCP4, 0), runtime.counts());
      assertEquals(ProviderState.UNLOADED, runtime.state(TRACE));
      assertEquals(ProviderState.UNLOADED, runtime.state(TCP4));
      assertEquals(1, runtime.loads(COALESCE));
      assertEquals(1, runtime.loads(TCP4));

      while (taken.isEmpty()) {
        Thread.sleep(1); // the listener hears it right after the runtime took it
      }
      assertEquals(1, taken.size(), taken.toString());
      assertEquals(3, taken.get(0).generation());
      assertEquals(
          List.of("trace", "trace-tcp4"),
          taken.get(0).added().stream().map(e -> e.name()).sorted().toList());
    }
  }
}
