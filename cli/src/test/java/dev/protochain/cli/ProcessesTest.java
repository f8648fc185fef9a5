package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.CatalogEntry;
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

/**
 * The command line across real processes: concurrent edits of one catalog, and netcat between two
 * JVMs.
 */
class ProcessesTest {

  @TempDir Path dir;

  @Test
  @Timeout(90)
  void twoProcessesInstallingDifferentLayersAtOnceBothLand() throws Exception {
    Path home = dir.resolve("home");
    CatalogStore store = CatalogStore.open(ProtochainHome.of(home));
    store.read();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // Hold the lock until both processes wait for it, so that they contend for it at the same
    // moment.
    Thread holder =
        new Thread(
            () -> {
              try {
                store.update(
                    "hold the lock for a test",
                    c -> {
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
      trace =
          new ProcessBuilder(
                  Cli.childCommand(
                      home,
                      "--lock-wait",
                      "60s",
                      "catalog",
                      "install",
                      "--layer",
                      "trace",
                      "--over",
                      "tcp4,tcp6"))
              .redirectOutput(dir.resolve("trace.out").toFile())
              .start();
      coalesce =
          new ProcessBuilder(
                  Cli.childCommand(
                      home,
                      "--lock-wait",
                      "60s",
                      "catalog",
                      "install",
                      "--layer",
                      "coalesce",
                      "--over",
                      "tcp4"))
              .redirectOutput(dir.resolve("coalesce.out").toFile())
              .start();
      String waiting =
          "waiting for the catalog lock "
              + store.lockFile()
              + ", held by pid "
              + ProcessHandle.current().pid()
              + " (hold the lock for a test, since ";
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
    assertTrue(
        names.containsAll(
            List.of("trace", "coalesce", "trace-tcp4", "trace-tcp6", "coalesce-tcp4")),
        names.toString());
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

  @Test
  @Timeout(90)
  void connectAndListenCarryBytesBothWaysBetweenTwoProcessesOverAChain() throws Exception {
    Path home = dir.resolve("home");
    Cli cli = new Cli(home);
    cli.ok("catalog", "install", "--layer", "coalesce", "--over", "tcp4");
    cli.ok("catalog", "install", "--layer", "trace", "--over", "coalesce-tcp4");
    byte[] fromListener = new byte[700_000];
    byte[] fromConnector = new byte[900_000];
    new Random(11).nextBytes(fromListener);
    new Random(12).nextBytes(fromConnector);
    Files.write(dir.resolve("listener.in"), fromListener);
    Files.write(dir.resolve("connector.in"), fromConnector);

    Process listener =
        new ProcessBuilder(Cli.childCommand(home, "listen", "--bind", "127.0.0.1", "0"))
            .redirectInput(dir.resolve("listener.in").toFile())
            .redirectOutput(dir.resolve("listener.out").toFile())
            .start();
    Process connector = null;
    try {
      BufferedReader listenerErr = reader(listener);
      String listening = listenerErr.readLine();
      Matcher m =
          Pattern.compile(
                  "protochain listen: listening on 127\\.0\\.0\\.1 port (\\d+) over 3002"
                      + " 'trace-coalesce-tcp4' \\(chain trace > coalesce > tcp4\\)")
              .matcher(String.valueOf(listening));
      assertTrue(m.matches(), listening);
      connector =
          new ProcessBuilder(Cli.childCommand(home, "connect", "127.0.0.1", m.group(1)))
              .redirectInput(dir.resolve("connector.in").toFile())
              .redirectOutput(dir.resolve("connector.out").toFile())
              .redirectError(dir.resolve("connector.err").toFile())
              .start();

      assertTrue(connector.waitFor(60, TimeUnit.SECONDS), "connect did not end");
      assertTrue(listener.waitFor(60, TimeUnit.SECONDS), "listen did not end");
      assertEquals(0, connector.exitValue(), Files.readString(dir.resolve("connector.err")));
      assertEquals(0, listener.exitValue());
      assertArrayEquals(fromConnector, Files.readAllBytes(dir.resolve("listener.out")));
      assertArrayEquals(fromListener, Files.readAllBytes(dir.resolve("connector.out")));
      assertTrue(
          listenerErr
              .readLine()
              .startsWith("protochain listen: accepted a connection from 127.0.0.1 port "));
      assertEquals(
          "protochain listen: sent 700000 bytes and received 900000; the connection is closed",
          listenerErr.readLine());
      assertEquals(
          "protochain connect: sent 900000 bytes and received 700000; the connection is closed",
          Files.readAllLines(dir.resolve("connector.err")).get(1));
    } finally {
      destroy(listener);
      destroy(connector);
    }
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
