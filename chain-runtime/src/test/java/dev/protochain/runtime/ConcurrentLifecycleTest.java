package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.protochain.api.EntryKind;
import dev.protochain.api.Session;
import dev.protochain.api.VersionRange;
import dev.protochain.runtime.testing.FakeProviderSource;
import dev.protochain.runtime.testing.Recorder;
import dev.protochain.runtime.testing.RecordingLayer;
import dev.protochain.runtime.testing.TestCatalogs;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Clause 7: startup and cleanup from many threads, and a startup racing the last cleanup. */
class ConcurrentLifecycleTest {

  static final int THREADS = 4;
  static final int PAIRS_PER_THREAD = 50_000;

  @Test
  void fourThreadsOfFiftyThousandPairsOverTwoChainsSharingALayer() throws Exception {
    Recorder recorder = new Recorder().quiet();
    FakeProviderSource source =
        new FakeProviderSource()
            .layer("shared", recorder)
            .layer("b", recorder)
            .base("base1", recorder)
            .base("base2", recorder);
    Catalog catalog =
        new TestCatalogs()
            .base(1101, "base1", "base1")
            .base(1102, "base2", "base2")
            .layer(2001, "shared", "shared")
            .layer(2002, "b", "b")
            .chain(3001, "one", 2001, 2002, 1101)
            .chain(3002, "two", 2001, 1102)
            .build();
    try (ChainRuntime runtime =
        ChainRuntime.builder().catalog(catalog).source(source).shutdownHook(false).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int chain = t % 2 == 0 ? 3001 : 3002;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < PAIRS_PER_THREAD; i++) {
                    try (Session s = runtime.startup(chain)) {
                      if (s.version() == null) {
                        throw new AssertionError("no version");
                      }
                    }
                  }
                  return null;
                }));
      }
      awaitOrDumpThreads(done, 120);
      pool.shutdown();

      assertEquals(Map.of(2001, 0, 2002, 0, 1101, 0, 1102, 0), runtime.counts());
      for (String p : List.of("shared", "b", "base1", "base2")) {
        assertTrue(recorder.loads(p) >= 1, p + " never loaded");
        assertEquals(recorder.loads(p), recorder.unloads(p), p + ": loads vs unloads");
      }
      assertEquals(List.of(), recorder.violations());
    }
  }

  /**
   * A count above 0 changes without the provider's lock (when no listener watches); only 0 to 1 and
   * 1 to 0 take it. Every round here starts at 0 with all threads released together, so the load of
   * each round races startups that find the count above 0, and each round's last cleanup races
   * startups of the threads still starting: none may meet a provider not loaded, or lose a count.
   */
  @Test
  void startupsAboveZeroRaceTheLoadAndTheUnloadOfEveryRound() throws Exception {
    Recorder recorder = new Recorder().quiet();
    FakeProviderSource source =
        new FakeProviderSource().layer("shared", recorder).base("base", recorder);
    Catalog catalog =
        new TestCatalogs()
            .base(1101, "base", "base")
            .layer(2001, "shared", "shared")
            .chain(3001, "shared-base", 2001, 1101)
            .build();
    int rounds = 2_000;
    try (ChainRuntime runtime =
        ChainRuntime.builder().catalog(catalog).source(source).shutdownHook(false).build()) {
      CyclicBarrier start = new CyclicBarrier(THREADS);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    start.await(60, TimeUnit.SECONDS);
                    try (Session s = runtime.startup(3001)) {
                      s.open().close();
                      if (runtime.count(2001) < 1 || runtime.state(2001) != ProviderState.RUNNING) {
                        throw new AssertionError(
                            "round " + r + ": a held provider is " + runtime.state(2001));
                      }
                    }
                  }
                  return null;
                }));
      }
      awaitOrDumpThreads(done, 120);
      pool.shutdown();

      assertEquals(Map.of(2001, 0, 1101, 0), runtime.counts());
      for (String p : List.of("shared", "base")) {
        assertTrue(recorder.loads(p) >= rounds, p + " loaded " + recorder.loads(p) + " times");
        assertEquals(recorder.loads(p), recorder.unloads(p), p + ": loads vs unloads");
      }
      assertEquals(List.of(), recorder.violations());
    }
  }

  @Test
  void aStartupRacingTheLastCleanupWaitsForTheUnloadAndLoadsAfresh() throws Exception {
    Recorder recorder = new Recorder();
    CountDownLatch unloading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<RecordingLayer> instances = new ArrayList<>();
    FakeProviderSource source =
        new FakeProviderSource()
            .register(
                FakeProviderSource.descriptor("slow", EntryKind.LAYER, VersionRange.ALL),
                () -> {
                  RecordingLayer l = new RecordingLayer("slow", recorder);
                  synchronized (instances) {
                    instances.add(l);
                  }
                  return new BlockingUnload(l, unloading, release);
                })
            .base("base", recorder);
    Catalog catalog =
        new TestCatalogs()
            .base(1101, "base", "base")
            .layer(2001, "slow", "slow")
            .chain(3001, "slow-base", 2001, 1101)
            .build();
    try (ChainRuntime runtime =
        ChainRuntime.builder().catalog(catalog).source(source).shutdownHook(false).build()) {
      Session first = runtime.startup(3001);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      Future<?> closing =
          pool.submit(
              () -> {
                first.close();
                return null;
              });
      assertTrue(unloading.await(10, TimeUnit.SECONDS));
      assertEquals(ProviderState.UNLOADING, runtime.state(2001));

      Future<Session> racing = pool.submit(() -> runtime.startup(3001));
      Thread.sleep(200);
      assertTrue(!racing.isDone(), "the startup must wait while the provider unloads");

      release.countDown();
      closing.get(10, TimeUnit.SECONDS);
      Session second = racing.get(10, TimeUnit.SECONDS);
      assertEquals(2, runtime.loads(2001));
      assertEquals(1, runtime.count(2001));
      assertEquals(ProviderState.RUNNING, runtime.state(2001));
      second.close();
      pool.shutdown();
      assertEquals(List.of(), recorder.violations());
      assertEquals(2, instances.size());
    }
  }

  /** A layer whose unload signals {@code unloading} and then waits for {@code release}. */
  static final class BlockingUnload implements dev.protochain.api.spi.LayeredProvider {
    private final RecordingLayer delegate;
    private final CountDownLatch unloading;
    private final CountDownLatch release;

    BlockingUnload(RecordingLayer delegate, CountDownLatch unloading, CountDownLatch release) {
      this.delegate = delegate;
      this.unloading = unloading;
      this.release = release;
    }

    @Override
    public void load(dev.protochain.api.spi.ProviderContext context) throws java.io.IOException {
      delegate.load(context);
    }

    @Override
    public dev.protochain.api.ChainSocket wrap(
        dev.protochain.api.ChainSocket below, dev.protochain.api.spi.StartupContext context)
        throws java.io.IOException {
      return delegate.wrap(below, context);
    }

    @Override
    public void unload() throws java.io.IOException {
      unloading.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      delegate.unload();
    }
  }

  static void awaitOrDumpThreads(List<Future<?>> futures, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (Future<?> f : futures) {
      try {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        StringBuilder dump = new StringBuilder("stalled after " + seconds + " s; thread dump:\n");
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
          dump.append(info);
        }
        fail(dump.toString());
      }
    }
  }
}
