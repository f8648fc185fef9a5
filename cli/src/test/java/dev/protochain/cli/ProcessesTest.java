package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.CatalogEntry;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import dev.protochain.runtime.store.StoredCatalog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line across real processes: concurrent edits of one catalog. */
class ProcessesTest {

  @TempDir
  Path dir;

  @Test
  @Timeout(90)
  void twoProcessesInstallingDifferentLayersAtOnceBothLand() throws Exception {
    Path home = dir.resolve("home");
    CatalogStore store = CatalogStore.open(ProtochainHome.of(home));
    store.read();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // Hold the lock until both processes wait for it, so that they contend for it at the same moment.
    Thread holder = new Thread(() -> {
      try {
        store.update("hold the lock for a test", c -> {
          holding.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new InterruptedIOException();
          }
          return c;
        });
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    holder.start();
    Process trace = null;
    Process coalesce = null;
    try {
      assertTrue(holding.await(10, TimeUnit.SECONDS));
      trace = new ProcessBuilder(Cli.childCommand(home, "--lock-wait", "60s", "catalog", "install", "--layer", "trace",
          "--over", "tcp4,tcp6")).redirectOutput(dir.resolve("trace.out").toFile()).start();
      coalesce = new ProcessBuilder(Cli.childCommand(home, "--lock-wait", "60s", "catalog", "install", "--layer",
          "coalesce", "--over", "tcp4")).redirectOutput(dir.resolve("coalesce.out").toFile()).start();
      String waiting = "waiting for the catalog lock " + store.lockFile() + ", held by pid " + ProcessHandle.current()
          .pid() + " (hold the lock for a test, since ";
      BufferedReader traceErr = reader(trace);
      BufferedReader coalesceErr = reader(coalesce);
      assertTrue(traceErr.readLine().startsWith("protochain catalog install: " + waiting));
      assertTrue(coalesceErr.readLine().startsWith("protochain catalog install: " + waiting));
      release.countDown();

      assertTrue(trace.waitFor(60, TimeUnit.SECONDS) && coalesce.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, trace.exitValue(), Files.readString(dir.resolve("trace.out")));
      assertEquals(0, coalesce.exitValue(), Files.readString(dir.resolve("coalesce.out")));
    } finally {
      release.countDown();
      holder.join();
      destroy(trace);
      destroy(coalesce);
    }

    StoredCatalog after = store.read();
    assertEquals(3, after.generation());
    List<String> names = after.catalog().entries().stream().map(CatalogEntry::name).toList();
    assertTrue(names.containsAll(List.of("trace", "coalesce", "trace-tcp4", "trace-tcp6", "coalesce-tcp4")), names
        .toString());
    assertEquals(List.of(), after.catalog().problems(Main.providers()));
    String traceOut = Files.readString(dir.resolve("trace.out"));
    String coalesceOut = Files.readString(dir.resolve("coalesce.out"));
    assertTrue(traceOut.startsWith("installed layer 'trace' as entry "), traceOut);
    assertTrue(coalesceOut.startsWith("installed layer 'coalesce' as entry "), coalesceOut);
    // One of them wrote generation 2, the other generation 3 over it.
    Matcher wrote = Pattern.compile("wrote generation (\\d+)").matcher(traceOut + coalesceOut);
    List<String> generations = new java.util.ArrayList<>();
    while (wrote.find()) {
      generations.add(wrote.group(1));
    }
    assertEquals(List.of("2", "3"), generations.stream().sorted().toList());
  }

  private static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
  }

  private static void destroy(Process p) {
    if (p != null) {
      p.destroyForcibly();
    }
  }
}
