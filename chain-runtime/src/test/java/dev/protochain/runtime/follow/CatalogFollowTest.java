package dev.protochain.runtime.follow;

import static dev.protochain.runtime.follow.CatalogWriterMain.A;
import static dev.protochain.runtime.follow.CatalogWriterMain.APP;
import static dev.protochain.runtime.follow.CatalogWriterMain.B;
import static dev.protochain.runtime.follow.CatalogWriterMain.BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Session;
import dev.protochain.runtime.CatalogGeneration;
import dev.protochain.runtime.CatalogInvalidException;
import dev.protochain.runtime.CatalogListener;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LifecycleEvent;
import dev.protochain.runtime.ProviderState;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import dev.protochain.runtime.store.StoredCatalog;
import dev.protochain.runtime.testing.FakeProviderSource;
import dev.protochain.runtime.testing.Recorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime following its home's catalog: a write by another process reaches its next startups
 * while open sessions keep their chains and counts; an unreadable catalog never replaces a good
 * one.
 */
@Timeout(60)
class CatalogFollowTest {

  @TempDir Path dir;
  final Recorder recorder = new Recorder().quiet();
  final List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());
  final List<CatalogGeneration> taken = Collections.synchronizedList(new ArrayList<>());
  final List<String> refused = Collections.synchronizedList(new ArrayList<>());
  final List<Instant> takenAt = Collections.synchronizedList(new ArrayList<>());
  CatalogStore store;
  ChainRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    store = CatalogStore.open(ProtochainHome.of(dir));
    store.update("version 1", current -> CatalogWriterMain.version(1));
    runtime =
        ChainRuntime.builder()
            .name("follow-test")
            .store(store)
            .followCatalog(true)
            .source(
                new FakeProviderSource()
                    .layer("a", recorder)
                    .layer("b", recorder)
                    .base("base", recorder))
            .shutdownHook(false)
            .listener(events::add)
            .catalogListener(
                new CatalogListener() {
                  @Override
                  public void taken(CatalogGeneration generation) {
                    takenAt.add(Instant.now());
                    taken.add(generation);
                  }

                  @Override
                  public void refused(Path file, IOException problem, long kept) {
                    refused.add(file.getFileName() + " kept " + kept + ": " + problem.getMessage());
                  }
                })
            .build();
  }

  @AfterEach
  void stop() throws IOException {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void aWriteByAnotherProcessReachesTheNextStartupWhileAnOpenSessionKeepsItsChain()
      throws Exception {
    assertEquals(2, store.read().generation());
    Session old = runtime.startup("app");
    assertEquals(Map.of(A, 1, BASE, 1), runtime.counts());

    Process writer =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                CatalogWriterMain.class.getName(),
                dir.toString(),
                "2")
            .redirectErrorStream(true)
            .start();
    String out = new String(writer.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, writer.exitValue(), out);
    String[] wrote = out.lines().reduce((first, second) -> second).orElseThrow().split(" ", -1);
    assertEquals("wrote", wrote[0], out);
    assertEquals("3", wrote[1], out);

    await(() -> runtime.catalog().entry(B).isPresent(), "the runtime took generation 3");
    Instant seen = Instant.now();
    System.out.printf(
        Locale.ROOT,
        "catalog follow: a write by another process reached the runtime %d ms after it returned%n",
        Duration.between(Instant.parse(wrote[2]), seen).toMillis());
    // The listener hears the generation right after the runtime took it.
    await(() -> taken.size() == 1, "the listener heard generation 3");
    CatalogGeneration g = taken.get(0);
    assertEquals(3, g.generation());
    assertEquals(2, g.previous());
    assertEquals(List.of(B), ids(g.added()));
    assertEquals(List.of(), ids(g.removed()));
    assertEquals(List.of(A, APP), ids(g.changed()));

    // The next startup uses the new chain [b, a-v2, base]; the open one keeps [a, base]. The old
    // and the new own entry of id A are two providers, each with its own count.
    Session next = runtime.startup("app");
    assertEquals(List.of(B, A, BASE), next.entry().chain().ids());
    assertEquals(List.of(A, BASE), old.entry().chain().ids());
    assertEquals(Map.of(A, 2, B, 1, BASE, 2), runtime.counts());
    assertEquals(1, lastCount("a"));
    assertEquals(1, lastCount("a-v2"));
    assertEquals(2, runtime.loads(A));

    // The old session's cleanup unloads the old a only: its last use ended.
    old.close();
    assertEquals(Map.of(A, 1, B, 1, BASE, 1), runtime.counts());
    assertEquals(List.of("a"), unloads());
    assertEquals(ProviderState.RUNNING, runtime.state(A));

    next.close();
    assertEquals(Map.of(A, 0, B, 0, BASE, 0), runtime.counts());
    assertEquals(List.of("a", "b", "a-v2", "base"), unloads());
    assertEquals(ProviderState.UNLOADED, runtime.state(A));
    assertEquals(List.of(), refused);
  }

  @Test
  void aTruncatedCatalogIsIgnoredWithOneReportAndTheNextValidWriteIsTaken() throws Exception {
    byte[] valid =
        new StoredCatalog(CatalogWriterMain.version(2), 7)
            .toJson()
            .getBytes(StandardCharsets.UTF_8);
    // Written in place, not atomically, twice: as a crashed editor or a full disk would leave it.
    Files.write(store.file(), java.util.Arrays.copyOf(valid, valid.length / 2));
    await(() -> refused.size() == 1, "the truncated catalog was reported");
    Files.write(store.file(), java.util.Arrays.copyOf(valid, valid.length / 3));
    Thread.sleep(500); // five looks at the file
    assertEquals(1, refused.size(), refused.toString());
    assertTrue(refused.get(0).startsWith("catalog.json kept 2: "), refused.get(0));
    assertEquals(List.of(), taken);
    try (Session s = runtime.startup("app")) {
      assertEquals(List.of(A, BASE), s.entry().chain().ids());
    }
    assertThrows(CatalogInvalidException.class, store::read);

    Files.write(store.file(), valid);
    await(() -> taken.size() == 1, "the next valid catalog was taken");
    assertEquals(7, taken.get(0).generation());
    assertEquals(2, taken.get(0).previous());
    try (Session s = runtime.startup("app")) {
      assertEquals(List.of(B, A, BASE), s.entry().chain().ids());
    }
    assertEquals(Map.of(A, 0, B, 0, BASE, 0), runtime.counts());

    // A second bad run is reported again, once.
    Files.write(store.file(), new byte[0]);
    await(() -> refused.size() == 2, "the empty catalog was reported");
    assertTrue(refused.get(1).startsWith("catalog.json kept 7: "), refused.get(1));
  }

  @Test
  void followLatencyOverTwentyWrites() throws Exception {
    CatalogStore writer = CatalogStore.open(ProtochainHome.of(dir));
    List<Long> micros = new ArrayList<>();
    for (int n = 3; n < 23; n++) {
      int version = n;
      long generation =
          writer
              .update("version " + n, c -> CatalogWriterMain.version(version))
              .after()
              .generation();
      long wrote = System.nanoTime();
      await(
          () ->
              runtime
                  .catalog()
                  .entry(B)
                  .map(
                      e ->
                          e.settings().containsKey("n")
                              && e.settings().get("n").equals("" + version))
                  .orElse(false),
          "generation " + generation);
      micros.add((System.nanoTime() - wrote) / 1000);
      Thread.sleep(version % 7 * 7L); // writes land at different points of the follower's period
    }
    Collections.sort(micros);
    System.out.printf(
        Locale.ROOT,
        "catalog follow latency over %d writes: median %.1f ms, max %.1f ms%n",
        micros.size(),
        micros.get(micros.size() / 2) / 1000.0,
        micros.get(micros.size() - 1) / 1000.0);
    assertTrue(micros.get(micros.size() - 1) < 1_000_000, "max latency " + micros);
    assertEquals(20, taken.size());
  }

  /**
   * Startups and cleanups on four threads race generations flipping between two chains every few
   * milliseconds: each session gets one whole chain of one generation, cleanups reach the providers
   * their startups counted, and every provider ends unloaded as often as it loaded.
   */
  @Test
  void startupsAndCleanupsRaceGenerationSwitches() throws Exception {
    CatalogStore writer = CatalogStore.open(ProtochainHome.of(dir));
    java.util.concurrent.atomic.AtomicBoolean running =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger sessions =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.Set<List<Integer>> chains = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          new Thread(
              () -> {
                try {
                  while (running.get()) {
                    Session first = runtime.startup("app");
                    Session second = runtime.startup(APP);
                    chains.add(first.entry().chain().ids());
                    first.open().close();
                    first.close();
                    second.open().close();
                    second.close();
                    sessions.addAndGet(2);
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              },
              "follow-race-" + t));
    }
    threads.forEach(Thread::start);
    int generations = 0;
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
    while (System.nanoTime() < end && failure.get() == null) {
      int version = 2 - generations % 2;
      writer.update("flip", c -> CatalogWriterMain.version(version));
      generations++;
      Thread.sleep(5 + generations % 4 * 40);
    }
    running.set(false);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(20));
    }
    if (failure.get() != null) {
      throw new AssertionError("a racing thread failed", failure.get());
    }
    System.out.printf(
        Locale.ROOT,
        "catalog follow race: %d sessions over %d catalog writes, %d generations taken%n",
        sessions.get(),
        generations,
        taken.size());
    assertEquals(java.util.Set.of(List.of(A, BASE), List.of(B, A, BASE)), chains);
    assertTrue(taken.size() >= 2, "generations taken: " + taken.size());
    assertEquals(List.of(), recorder.violations());
    for (int count : runtime.counts().values()) {
      assertEquals(0, count, runtime.counts().toString());
    }
    for (String provider : List.of("a", "b", "base")) {
      assertEquals(recorder.loads(provider), recorder.unloads(provider), provider);
    }
  }

  @Test
  void followingNeedsAStore() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> ChainRuntime.builder().followCatalog(true).build());
    assertTrue(e.getMessage().contains("store(CatalogStore)"), e.getMessage());
  }

  private int lastCount(String providerEntryName) {
    synchronized (events) {
      for (int i = events.size() - 1; i >= 0; i--) {
        LifecycleEvent e = events.get(i);
        if (e.provider().name().equals(providerEntryName)
            && (e.type() == LifecycleEvent.Type.STARTUP
                || e.type() == LifecycleEvent.Type.CLEANUP)) {
          return e.count();
        }
      }
    }
    return 0;
  }

  private List<String> unloads() {
    synchronized (events) {
      return events.stream()
          .filter(e -> e.type() == LifecycleEvent.Type.UNLOAD)
          .map(e -> e.provider().name())
          .toList();
    }
  }

  private static List<Integer> ids(List<CatalogEntry> entries) {
    return entries.stream().map(CatalogEntry::id).toList();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "within 5 s: " + what);
      Thread.sleep(1);
    }
  }
}
