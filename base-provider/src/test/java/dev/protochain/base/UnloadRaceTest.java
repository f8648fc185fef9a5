package dev.protochain.base;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.base.LoadedProvider.Connection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Unload racing busy sockets: every operation either works, fails with an {@link IOException} a
 * caller can handle, or (once its socket is aborted) fails with {@code OPERATION_ABORTED} — never
 * with a runtime exception — and every worker ends.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnloadRaceTest {

  private static final int CONNECTIONS = 4;
  private static final int ROUNDS = Integer.getInteger("race.rounds", 5);

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void unloadDuringTrafficEndsEveryWorkerWithOperationAborted(StreamTransport transport)
      throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      LoadedProvider p = transport.load();
      ChainSocket listener = p.listen();
      List<CompletableFuture<Throwable>> workers = new ArrayList<>();
      CountDownLatch running = new CountDownLatch(CONNECTIONS * 4 + 1);
      for (int i = 0; i < CONNECTIONS; i++) {
        Connection c = p.connect(listener);
        for (ChainSocket s : new ChainSocket[] {c.client, c.server}) {
          workers.add(worker(running, () -> s.send(ByteBuffer.allocate(1024))));
          workers.add(worker(running, () -> s.receive(ByteBuffer.allocate(1024))));
        }
      }
      workers.add(worker(running, listener::accept));
      assertTrue(running.await(5, TimeUnit.SECONDS), "workers started");
      Thread.sleep(20 + 10 * round);
      p.close();
      for (CompletableFuture<Throwable> w : workers) {
        Throwable end = w.get(5, TimeUnit.SECONDS);
        assertTrue(
            ProtochainException.hasCode(end, ProtochainException.Code.OPERATION_ABORTED),
            () -> "worker ended with " + end);
      }
    }
  }

  interface Operation {
    Object run() throws IOException;
  }

  /**
   * Runs {@code op} in a loop until it throws a {@link ProtochainException} or a runtime exception,
   * and returns what ended it; other {@link IOException}s (a reset from a peer aborted first) and
   * end-of-stream results are part of the race and the loop goes on.
   */
  private static CompletableFuture<Throwable> worker(CountDownLatch running, Operation op) {
    CompletableFuture<Throwable> end = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              running.countDown();
              while (true) {
                try {
                  op.run();
                } catch (ProtochainException | RuntimeException e) {
                  end.complete(e);
                  return;
                } catch (IOException e) {
                  Thread.onSpinWait(); // a peer's close or reset reached us first; our own abort
                  // follows
                } catch (Error e) {
                  end.complete(e);
                  return;
                }
              }
            },
            "test-race-worker");
    t.setDaemon(true);
    t.start();
    return end;
  }
}
