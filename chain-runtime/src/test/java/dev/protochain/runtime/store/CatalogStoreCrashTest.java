package dev.protochain.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with real processes: a child JVM rewrites the catalog in a loop and is killed with
 * SIGKILL at a random moment, 50 times. After every kill the catalog must parse and equal either
 * the generation before the write under way or the one being written, and the backup the generation
 * before that; meanwhile a reader in this JVM reads the catalog without a lock and must never see a
 * half-written file.
 */
class CatalogStoreCrashTest {

  private static final int KILLS = 50;

  @Test
  @Timeout(150)
  void theCatalogSurvivesFiftySigkillsAtRandomMoments(@TempDir Path dir) throws Exception {
    CatalogStore store = CatalogStore.open(ProtochainHome.of(dir));
    assertEquals(1, store.read().generation());
    long seed = System.nanoTime();
    Random random = new Random(seed);
    long started = System.nanoTime();

    AtomicBoolean reading = new AtomicBoolean(true);
    AtomicLong reads = new AtomicLong();
    AtomicReference<Throwable> readFailure = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              while (reading.get() && readFailure.get() == null) {
                try {
                  StoredCatalog s = store.read();
                  assertEquals(CatalogRewriterMain.expected(s.generation()), s.catalog());
                  reads.incrementAndGet();
                  Thread.sleep(1); // leave the cores to the writer
                } catch (Throwable t) {
                  readFailure.set(t);
                }
              }
            },
            "catalog-reader");
    reader.start();

    int survived = 0;
    int duringWrite = 0;
    long lastGeneration = 1;
    Rewriter next = Rewriter.start(dir);
    try {
      for (int kill = 1; kill <= KILLS; kill++) {
        Rewriter current = next;
        current.awaitLine("ready");
        // The next child starts up while this one runs, so that JVM starts do not add up.
        next = kill < KILLS ? Rewriter.start(dir) : null;
        current.go();
        // Kill once the child has written at least once, so that kills land among writes rather
        // than
        // in class loading.
        current.awaitLineStartingWith("wrote ");
        Thread.sleep(random.nextInt(60));
        String last = current.kill();

        long n = Long.parseLong(last.substring(last.indexOf(' ') + 1));
        Set<Long> allowed = last.startsWith("writing ") ? Set.of(n - 1, n) : Set.of(n);
        duringWrite += last.startsWith("writing ") ? 1 : 0;

        StoredCatalog after = store.read();
        assertTrue(
            allowed.contains(after.generation()),
            "kill "
                + kill
                + ": generation "
                + after.generation()
                + " after '"
                + last
                + "' (seed "
                + seed
                + ")");
        assertEquals(
            CatalogRewriterMain.expected(after.generation()), after.catalog(), "kill " + kill);
        assertTrue(
            after.generation() >= lastGeneration, "kill " + kill + ": the generation went back");
        if (after.generation() > 1) {
          StoredCatalog backup = store.readBackup().orElseThrow();
          assertTrue(
              Set.of(after.generation() - 1, after.generation()).contains(backup.generation()),
              "kill "
                  + kill
                  + ": backup generation "
                  + backup.generation()
                  + " beside "
                  + after.generation());
          assertEquals(
              CatalogRewriterMain.expected(backup.generation()), backup.catalog(), "kill " + kill);
        }
        lastGeneration = after.generation();
        survived++;
      }
    } finally {
      reading.set(false);
      reader.join();
      if (next != null) {
        next.process.toHandle().destroyForcibly();
      }
    }
    if (readFailure.get() != null) {
      throw new AssertionError(
          "a reader saw a broken catalog (seed " + seed + ")", readFailure.get());
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        java.util.Locale.ROOT,
        "catalog crash test: survived %d of %d SIGKILLs (%d of them mid-update),"
            + " %d generations written, %d lock-free reads, all sound, in %.1f s (seed %d)%n",
        survived,
        KILLS,
        duringWrite,
        lastGeneration,
        reads.get(),
        seconds,
        seed);
    assertEquals(KILLS, survived);
    assertTrue(lastGeneration > KILLS, "too few writes to mean anything: " + lastGeneration);
  }

  /** One rewriter child and the lines it printed. */
  private static final class Rewriter {
    final Process process;
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<IOException> failure = new AtomicReference<>();
    final Thread pump;

    private Rewriter(Process process) {
      this.process = process;
      this.pump =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  failure.set(e); // a killed child's pipe ends; it does not fail
                }
              },
              "rewriter-stdout");
      pump.start();
    }

    static Rewriter start(Path dir) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      // A quick-starting child: the test is about the file, not the JIT.
      return new Rewriter(
          new ProcessBuilder(
                  java,
                  "-XX:TieredStopAtLevel=1",
                  "-XX:+UseSerialGC",
                  "-Xshare:auto",
                  "-cp",
                  System.getProperty("java.class.path"),
                  CatalogRewriterMain.class.getName(),
                  dir.toString())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start());
    }

    void awaitLine(String line) throws InterruptedException {
      awaitLineStartingWith(line);
    }

    void awaitLineStartingWith(String prefix) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        synchronized (lines) {
          if (lines.stream().anyMatch(l -> l.startsWith(prefix))) {
            return;
          }
        }
        assertTrue(process.isAlive(), "the rewriter died by itself: " + lines);
        Thread.sleep(1);
      }
      throw new AssertionError("the rewriter printed no '" + prefix + "' within 30 s: " + lines);
    }

    void go() throws IOException {
      process.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
    }

    /** Kills the child with SIGKILL and returns the last line it printed. */
    String kill() throws InterruptedException {
      // Through the handle: Process.destroyForcibly() would also close the child's output in this
      // JVM, losing lines still in the pipe.
      assertTrue(process.toHandle().destroyForcibly());
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the killed rewriter did not end");
      pump.join(TimeUnit.SECONDS.toMillis(30));
      assertEquals(null, failure.get(), "reading the rewriter's output failed");
      return lines.get(lines.size() - 1);
    }
  }
}
