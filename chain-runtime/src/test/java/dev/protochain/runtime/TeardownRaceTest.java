package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.NotInitialisedException;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.runtime.testing.FakeProviderSource;
import dev.protochain.runtime.testing.Recorder;
import dev.protochain.runtime.testing.TestCatalogs;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Threads hammering two chains that share a layer with startups, cleanups and socket operations for
 * a bounded time, sharing sessions and sockets so that operations race the final cleanups. Every
 * operation must complete or fail with a documented error; a watchdog fails the run with a thread
 * dump on a stall. {@code -Dprotochain.race.seconds=N} runs longer; the soak profile runs the soak
 * variant for the time it sets.
 */
class TeardownRaceTest {

  static final int THREADS = 4;
  static final long SECONDS = Long.getLong("protochain.race.seconds", 5);

  @Test
  void operationsRacingFinalCleanupsEndOnlyInDocumentedErrors() throws Exception {
    race(SECONDS);
  }

  /**
   * The soak variant: {@code mvn -B verify -Psoak} sets {@code protochain.race.seconds} (300 by
   * default there).
   */
  @Test
  @Tag("soak")
  void operationsRacingFinalCleanupsForMinutesEndOnlyInDocumentedErrors() throws Exception {
    race(SECONDS);
  }

  static void race(long seconds) throws Exception {
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
    Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    List<Throwable> undocumented = java.util.Collections.synchronizedList(new ArrayList<>());
    try (ChainRuntime runtime =
        ChainRuntime.builder().catalog(catalog).source(source).shutdownHook(false).build()) {
      AtomicReferenceArray<Session> sessions = new AtomicReferenceArray<>(8);
      AtomicReferenceArray<ChainSocket[]> pairs = new AtomicReferenceArray<>(8);
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long seed = 1234L + t;
        done.add(
            pool.submit(
                () -> {
                  Random random = new Random(seed);
                  while (System.nanoTime() < deadline) {
                    int slot = random.nextInt(8);
                    String op = "";
                    try {
                      switch (random.nextInt(6)) {
                        case 0:
                          {
                            op = "startup";
                            Session s = runtime.startup(random.nextBoolean() ? 3001 : 3002);
                            Session old = sessions.getAndSet(slot, s);
                            if (old != null) {
                              old.close();
                            }
                            break;
                          }
                        case 1:
                          {
                            op = "cleanup";
                            Session s = sessions.getAndSet(slot, null);
                            if (s != null) {
                              s.close();
                            }
                            break;
                          }
                        case 2:
                          {
                            op = "open";
                            Session s = sessions.get(slot);
                            if (s != null) {
                              ChainSocket listener = s.open();
                              try {
                                listener.bind(null);
                                listener.listen(1);
                                ChainSocket client = s.open();
                                client.setOption(
                                    dev.protochain.api.ChainSocketOptions.RECEIVE_TIMEOUT,
                                    Duration.ofMillis(50));
                                client.connect(listener.localAddress());
                                ChainSocket server = listener.accept();
                                server.setOption(
                                    dev.protochain.api.ChainSocketOptions.RECEIVE_TIMEOUT,
                                    Duration.ofMillis(50));
                                ChainSocket[] old =
                                    pairs.getAndSet(slot, new ChainSocket[] {client, server});
                                if (old != null) {
                                  old[0].close();
                                  old[1].close();
                                }
                              } finally {
                                listener.close();
                              }
                            }
                            break;
                          }
                        case 3:
                        case 4:
                          {
                            op = "send/receive";
                            ChainSocket[] pair = pairs.get(slot);
                            if (pair != null) {
                              pair[0].sendFully(ByteBuffer.allocate(100));
                              pair[1].receive(ByteBuffer.allocate(100));
                            }
                            break;
                          }
                        default:
                          {
                            op = "close socket";
                            ChainSocket[] pair = pairs.getAndSet(slot, null);
                            if (pair != null) {
                              pair[0].close();
                              pair[1].close();
                            }
                          }
                      }
                      outcomes.computeIfAbsent(op + " ok", k -> new AtomicLong()).incrementAndGet();
                    } catch (Throwable e) {
                      String kind = documented(e);
                      if (kind == null) {
                        undocumented.add(
                            new AssertionError(op + " ended in an undocumented error: " + e, e));
                      } else {
                        outcomes
                            .computeIfAbsent(op + " " + kind, k -> new AtomicLong())
                            .incrementAndGet();
                      }
                    }
                  }
                  return null;
                }));
      }
      ConcurrentLifecycleTest.awaitOrDumpThreads(done, (int) seconds + 60);
      pool.shutdown();
      for (int i = 0; i < 8; i++) {
        Session s = sessions.get(i);
        if (s != null) {
          s.close();
        }
      }
      System.out.println(
          THREADS * seconds
              + " thread-seconds of racing; outcomes: "
              + new java.util.TreeMap<>(outcomes));
      assertEquals(List.of(), undocumented);
      runtime.counts().forEach((entry, count) -> assertEquals(0, count, "count of " + entry));
      for (String p : List.of("shared", "b", "base1", "base2")) {
        assertEquals(recorder.loads(p), recorder.unloads(p), p + ": loads vs unloads");
      }
      assertEquals(List.of(), recorder.violations());
      assertTrue(
          outcomes.keySet().stream().anyMatch(k -> k.endsWith("OPERATION_ABORTED")),
          "some operations must have raced a final cleanup: " + outcomes);
    }
  }

  /** Returns the documented error {@code e} is, or null if it is not documented. */
  static String documented(Throwable e) {
    if (e instanceof ProtochainException
        && ((ProtochainException) e).code() == ProtochainException.Code.OPERATION_ABORTED) {
      return "OPERATION_ABORTED";
    }
    if (e instanceof NotInitialisedException) {
      return "not initialised";
    }
    if (e instanceof ClosedChannelException) {
      return "closed";
    }
    if (e instanceof SocketTimeoutException) {
      return "timed out";
    }
    if (e instanceof SocketException
        && List.of("Connection reset", "Broken pipe").contains(e.getMessage())) {
      return e.getMessage();
    }
    return null;
  }
}
