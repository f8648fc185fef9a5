package dev.protochain.layers.ratelimit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.layers.Stock;
import dev.protochain.runtime.ChainRuntime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limits themselves, over the in-memory loopback with a bare {@code mem-stream} peer. Only
 * lower bounds of elapsed time are asserted, which a limiter guarantees however busy the machine,
 * except where scopes are compared.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RateLimitLayerTest {

  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  static ChainRuntime runtime(Map<String, String> settings) throws IOException {
    return Stock.runtime(Stock.catalog(RateLimitLayer.class, settings, "mem-stream"));
  }

  /** A connected pair: {@code limited} through the layer, {@code raw} on the bare base. */
  record Pair(ChainSocket limited, ChainSocket raw) {}

  static Pair connect(Session layered, Session bare) throws IOException {
    ChainSocket listener = Stock.listener(bare);
    ChainSocket limited = layered.open();
    limited.connect(listener.localAddress());
    ChainSocket raw = listener.accept();
    listener.close();
    return new Pair(limited, raw);
  }

  static byte[] readAll(ChainSocket s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(65536);
    while (s.receive(buf.clear()) >= 0) {
      out.write(buf.array(), 0, buf.position());
    }
    return out.toByteArray();
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  @Test
  void bytesPerSecondBoundsWhatIsSent() throws Exception {
    byte[] payload = random(300_000);
    try (ChainRuntime rt = runtime(Map.of("bytes-per-second", "200000"));
        Session layered = rt.startup("ratelimit-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      Pair p = connect(layered, bare);
      Future<byte[]> reading = pool.submit(() -> readAll(p.raw()));
      long start = System.nanoTime();
      p.limited().sendFully(ByteBuffer.wrap(payload));
      long elapsed = millisSince(start);
      p.limited().shutdownOutput();
      assertArrayEquals(payload, reading.get(10, TimeUnit.SECONDS));
      // 20,000 bytes pass at once, the other 280,000 at 200,000 a second.
      assertTrue(elapsed >= 1_300, elapsed + " ms");
    }
  }

  @Test
  void bytesPerSecondBoundsWhatIsReceived() throws Exception {
    byte[] payload = random(300_000);
    try (ChainRuntime rt = runtime(Map.of("bytes-per-second", "200000"));
        Session layered = rt.startup("ratelimit-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      Pair p = connect(layered, bare);
      Future<?> sending =
          pool.submit(
              () -> {
                p.raw().sendFully(ByteBuffer.wrap(payload));
                p.raw().shutdownOutput();
                return null;
              });
      long start = System.nanoTime();
      byte[] got = readAll(p.limited());
      long elapsed = millisSince(start);
      sending.get(10, TimeUnit.SECONDS);
      assertArrayEquals(payload, got);
      assertTrue(elapsed >= 1_300, elapsed + " ms");
    }
  }

  @Test
  void operationsPerSecondBoundsEveryOperation() throws Exception {
    try (ChainRuntime rt = runtime(Map.of("operations-per-second", "20"));
        Session layered = rt.startup("ratelimit-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      Pair p = connect(layered, bare); // the connect takes the first permit
      long start = System.nanoTime();
      for (int i = 0; i < 21; i++) {
        assertEquals(1, p.limited().send(ByteBuffer.wrap(new byte[] {(byte) i})));
      }
      long elapsed = millisSince(start);
      assertTrue(
          elapsed >= 950, "21 sends at 20 a second after the connect took " + elapsed + " ms");
    }
  }

  @Test
  void providerScopeSharesOneLimitWhereSocketScopeGivesEachItsOwn() throws Exception {
    long shared = twoSendersAtOnce("provider");
    long own = twoSendersAtOnce("socket");
    // Each sends 100,000 bytes at 100,000 a second: about 0.9 s alone, about 1.9 s sharing.
    assertTrue(shared >= 1_700, "shared: " + shared + " ms");
    assertTrue(own >= 800 && own < 1_600, "own: " + own + " ms");
  }

  long twoSendersAtOnce(String scope) throws Exception {
    try (ChainRuntime rt = runtime(Map.of("bytes-per-second", "100000", "scope", scope));
        Session layered = rt.startup("ratelimit-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      List<Pair> pairs = List.of(connect(layered, bare), connect(layered, bare));
      List<Future<byte[]>> reads = new ArrayList<>();
      for (Pair p : pairs) {
        reads.add(pool.submit(() -> readAll(p.raw())));
      }
      long start = System.nanoTime();
      List<Future<?>> sends = new ArrayList<>();
      for (Pair p : pairs) {
        sends.add(
            pool.submit(
                () -> {
                  p.limited().sendFully(ByteBuffer.wrap(random(100_000)));
                  p.limited().shutdownOutput();
                  return null;
                }));
      }
      for (Future<?> f : sends) {
        f.get(20, TimeUnit.SECONDS);
      }
      long elapsed = millisSince(start);
      for (Future<byte[]> r : reads) {
        assertArrayEquals(random(100_000), r.get(10, TimeUnit.SECONDS));
      }
      return elapsed;
    }
  }

  @Test
  void aWaitingSendHoldsNoLockAndEndsAtTheFinalCleanup() throws Exception {
    try (ChainRuntime rt = runtime(Map.of("bytes-per-second", "10"));
        Session bare = rt.startup("mem-stream")) {
      Session layered = rt.startup("ratelimit-mem-stream");
      Pair p = connect(layered, bare);
      Future<Object> sending =
          pool.submit(
              () -> {
                try {
                  p.limited()
                      .sendFully(ByteBuffer.wrap(new byte[1_000])); // one byte a tenth of a second
                  return "sent";
                } catch (IOException e) {
                  return e;
                }
              });
      Thread.sleep(300);

      p.raw().sendFully(ByteBuffer.wrap(new byte[] {42}));
      ByteBuffer one = ByteBuffer.allocate(1);
      assertEquals(1, p.limited().receive(one), "a receive passes while a send waits");
      assertEquals(42, one.get(0));

      long start = System.nanoTime();
      layered.close();
      Object outcome = sending.get(5, TimeUnit.SECONDS);
      assertTrue(millisSince(start) < 2_000, "the wait ends promptly");
      ProtochainException e = assertInstanceOf(ProtochainException.class, outcome);
      assertEquals(ProtochainException.Code.OPERATION_ABORTED, e.code());
      assertEquals(
          "send on a socket of "
              + layered.entry()
              + " aborted: provider 'ratelimit' (entry 2001) was cleaned up",
          e.getMessage());
    }
  }
}
