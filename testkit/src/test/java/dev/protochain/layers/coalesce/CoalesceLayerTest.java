package dev.protochain.layers.coalesce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import dev.protochain.layers.Stock;
import dev.protochain.runtime.ChainRuntime;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Coalesce's flush-on-receive, which once sent from inside the receive and could deadlock, and its
 * close racing a send.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoalesceLayerTest {

  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void aReceiveReturnsWhileTheHeldBytesCannotBeSentYetAndTheyLeaveOnceThePeerReads()
      throws Exception {
    Map<String, String> settings =
        Map.of("threshold", "1048576", "delay", "0", "flush-on-receive", "true");
    try (ChainRuntime rt =
            Stock.runtime(Stock.catalog(CoalesceLayer.class, settings, "mem-stream"));
        Session layered = rt.startup("coalesce-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      ChainSocket listener = Stock.listener(bare);
      ChainSocket a = layered.open();
      a.connect(listener.localAddress());
      ChainSocket b = listener.accept();
      b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
      // A write of at least the threshold passes straight through and fills the 64 KiB pipe to b.
      assertEquals(65536, a.send(ByteBuffer.allocate(2 << 20)));
      assertEquals(10, a.send(ByteBuffer.wrap(new byte[10]))); // held: nowhere to go until b reads
      b.sendFully(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));

      ByteBuffer got = ByteBuffer.allocate(16);
      Future<Integer> receiving = pool.submit(() -> a.receive(got));
      assertEquals(
          5,
          receiving.get(5, TimeUnit.SECONDS),
          "the receive must not wait for the held bytes to leave");

      ByteBuffer all = ByteBuffer.allocate(65536 + 10);
      assertTrue(b.receiveFully(all), "the layer's thread sends the held bytes once b reads");
    }
  }

  @Test
  void aCloseWhileAFlushIsBlockedBelowLetsItFinishLosingNothingAndThenCloses() throws Exception {
    Map<String, String> settings =
        Map.of("threshold", "1048576", "delay", "0", "flush-on-receive", "false");
    try (ChainRuntime rt =
            Stock.runtime(Stock.catalog(CoalesceLayer.class, settings, "mem-stream"));
        Session layered = rt.startup("coalesce-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      ChainSocket listener = Stock.listener(bare);
      ChainSocket a = layered.open();
      a.connect(listener.localAddress());
      ChainSocket b = listener.accept();
      b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
      assertEquals(65536, a.send(ByteBuffer.allocate(2 << 20))); // fills the 64 KiB pipe to b
      assertEquals(10, a.send(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})));
      Future<?> flushing =
          pool.submit(
              () -> {
                a.flush();
                return null;
              }); // blocks below until b reads
      Thread.sleep(200);
      assertFalse(flushing.isDone(), "the flush waits for b to read");

      a.close(); // linger off: returns at once, and must not cut the flush short

      assertFalse(a.isOpen());
      ByteBuffer all = ByteBuffer.allocate(65536 + 10);
      assertTrue(b.receiveFully(all), "every byte arrives");
      assertArrayEquals(
          new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
          Arrays.copyOfRange(all.array(), 65536, 65546));
      flushing.get(5, TimeUnit.SECONDS); // the flush succeeded
      assertEquals(-1, b.receive(ByteBuffer.allocate(1)), "then the close reaches b");
    }
  }

  @Test
  void aPeerThatStopsReadingDelaysNoOtherSocketsHeldBytes() throws Exception {
    Duration delay = Duration.ofMillis(50);
    Map<String, String> settings =
        Map.of("threshold", "1048576", "delay", "50ms", "flush-on-receive", "false");
    try (ChainRuntime rt =
            Stock.runtime(Stock.catalog(CoalesceLayer.class, settings, "mem-stream"));
        Session layered = rt.startup("coalesce-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      ChainSocket listener = Stock.listener(bare);
      ChainSocket stuck = layered.open();
      stuck.connect(listener.localAddress());
      ChainSocket notReading = listener.accept();
      ChainSocket fine = layered.open();
      fine.connect(listener.localAddress());
      ChainSocket reading = listener.accept();
      reading.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));

      assertEquals(65536, stuck.send(ByteBuffer.allocate(2 << 20))); // fills the pipe: no reader
      assertEquals(10, stuck.send(ByteBuffer.allocate(10))); // its timed send will block
      Thread.sleep(delay.toMillis() + 150); // ... and now does

      long start = System.nanoTime();
      assertEquals(3, fine.send(ByteBuffer.wrap(new byte[] {7, 8, 9})));
      ByteBuffer got = ByteBuffer.allocate(3);
      assertTrue(reading.receiveFully(got));
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertArrayEquals(new byte[] {7, 8, 9}, got.array());
      assertTrue(
          took.compareTo(delay.plusMillis(250)) <= 0,
          "the other socket's held bytes took " + took.toMillis() + " ms (delay 50 ms)");
      ByteBuffer all = ByteBuffer.allocate(65536 + 10);
      notReading.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));
      assertTrue(notReading.receiveFully(all), "the stuck socket's bytes arrive once read");
    }
  }

  @Test
  void aRequestLeavesOnItsOwnReceiveWhileAnotherSocketsSendIsBlocked() throws Exception {
    Map<String, String> settings =
        Map.of("threshold", "1048576", "delay", "10s", "flush-on-receive", "true");
    try (ChainRuntime rt =
            Stock.runtime(Stock.catalog(CoalesceLayer.class, settings, "mem-stream"));
        Session layered = rt.startup("coalesce-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      ChainSocket listener = Stock.listener(bare);
      ChainSocket stuck = layered.open();
      stuck.connect(listener.localAddress());
      ChainSocket notReading = listener.accept();
      ChainSocket client = layered.open();
      client.connect(listener.localAddress());
      client.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));
      ChainSocket server = listener.accept();
      server.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));

      assertEquals(65536, stuck.send(ByteBuffer.allocate(2 << 20))); // fills the pipe: no reader
      assertEquals(10, stuck.send(ByteBuffer.allocate(10)));
      // A receive on another thread hands the 10 bytes to the layer, whose send then blocks.
      var unused = pool.submit(() -> stuck.receive(ByteBuffer.allocate(1))); // only unblocks
      Thread.sleep(300);

      Future<?> answering =
          pool.submit(
              () -> {
                ByteBuffer request = ByteBuffer.allocate(3);
                assertTrue(server.receiveFully(request));
                server.sendFully(ByteBuffer.wrap(new byte[] {4, 5, 6}));
                return null;
              });
      assertEquals(3, client.send(ByteBuffer.wrap(new byte[] {1, 2, 3}))); // held: a 10 s delay
      ByteBuffer reply = ByteBuffer.allocate(3);
      assertTrue(client.receiveFully(reply), "the request left with the receive");
      assertArrayEquals(new byte[] {4, 5, 6}, reply.array());
      answering.get(5, TimeUnit.SECONDS);
      notReading.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));
      assertTrue(notReading.receiveFully(ByteBuffer.allocate(65536 + 10)), "and then the rest");
    }
  }
}
