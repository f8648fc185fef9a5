package dev.protochain.layers.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BufferPool}, documented thread-safe, raced: threads take and give back buffers from a pool
 * with fewer slots than takers, many rounds. No buffer is ever held by two takers at once, every
 * buffer taken is empty and of the pool's size, and the bytes a taker writes are still its own when
 * it gives the buffer back.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BufferPoolRaceTest {

  private static final int ROUNDS = Integer.getInteger("race.rounds", 100);
  private static final int THREADS = 6;
  private static final int TAKES = 2_000;
  private static final int SIZE = 64;

  @Test
  void noBufferIsEverHeldTwice() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        BufferPool pool = new BufferPool(SIZE, 1 + round % 4);
        Set<ByteBuffer> held =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> takers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          byte mark = (byte) (t + 1);
          takers.add(
              threads.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < TAKES; i++) {
                      ByteBuffer b = pool.take();
                      assertTrue(held.add(b), "a buffer handed to two takers at once");
                      assertEquals(0, b.position(), "a taken buffer's position");
                      assertEquals(SIZE, b.limit(), "a taken buffer's limit");
                      assertEquals(SIZE, b.capacity(), "a taken buffer's capacity");
                      while (b.hasRemaining()) {
                        b.put(mark);
                      }
                      for (int k = 0; k < SIZE; k++) {
                        assertEquals(mark, b.get(k), "a byte of a held buffer changed under it");
                      }
                      assertTrue(held.remove(b), "a held buffer went missing");
                      pool.giveBack(b);
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> taker : takers) {
          taker.get(30, TimeUnit.SECONDS); // rethrows a taker's failed assertion
        }
        assertTrue(held.isEmpty(), "every buffer was given back");
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
