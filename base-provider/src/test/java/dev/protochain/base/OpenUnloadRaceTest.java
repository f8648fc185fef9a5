package dev.protochain.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.spi.AbstractBaseProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AbstractBaseProvider#open} from many threads racing {@link AbstractBaseProvider#unload}:
 * every open either returns a socket that the unload closes or fails with {@code
 * OPERATION_ABORTED}, and no socket outlives the unload. Each opener keeps at most 17 sockets open,
 * closing its oldest, so a round holds few files.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenUnloadRaceTest {

  private static final int ROUNDS = Integer.getInteger("race.rounds", 100);
  private static final int THREADS = 4;

  @ParameterizedTest
  @ValueSource(strings = {"tcp4", "udp4", "mem-stream", "mem-dgram"})
  void everyOpenRacingTheUnloadEndsClosedOrAborted(String name) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      CatalogEntry entry = entry(name);
      AbstractBaseProvider provider = provider(name).get();
      provider.load(TestContexts.load(entry));
      List<ChainSocket> opened = Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<Throwable>> ends = new ArrayList<>();
      CountDownLatch running = new CountDownLatch(THREADS);
      for (int t = 0; t < THREADS; t++) {
        CompletableFuture<Throwable> end = new CompletableFuture<>();
        ends.add(end);
        new Thread(
                () -> {
                  running.countDown();
                  List<ChainSocket> mine = new ArrayList<>();
                  while (true) {
                    try {
                      ChainSocket s = provider.open(TestContexts.startup(entry));
                      opened.add(s);
                      mine.add(s);
                      if (mine.size() > 16) {
                        mine.remove(0).close(); // bounds the open files a UDP opener holds
                      }
                    } catch (Throwable e) {
                      end.complete(e);
                      return;
                    }
                  }
                })
            .start();
      }
      assertTrue(running.await(5, TimeUnit.SECONDS), "openers started");
      Thread.sleep(round % 3);
      provider.unload();
      for (CompletableFuture<Throwable> end : ends) {
        Throwable e = end.get(5, TimeUnit.SECONDS);
        assertTrue(
            ProtochainException.hasCode(e, ProtochainException.Code.OPERATION_ABORTED),
            () -> "an opener ended with " + e);
      }
      synchronized (opened) {
        for (ChainSocket s : opened) {
          assertFalse(s.isOpen(), () -> s + " outlived the unload");
        }
      }
      assertEquals(
          provider.getClass().getSimpleName()
              + "[provider '"
              + (name.startsWith("mem") ? "memory" : name.substring(0, 3))
              + "' for entry "
              + entry.id()
              + " '"
              + name
              + "' (unloaded)]",
          provider.toString());
    }
  }

  private static CatalogEntry entry(String name) {
    return switch (name) {
      case "tcp4" -> TestContexts.tcp4();
      case "udp4" -> TestContexts.udp4();
      case "mem-stream" -> TestContexts.memStream();
      default -> TestContexts.memDgram();
    };
  }

  private static Supplier<AbstractBaseProvider> provider(String name) {
    return switch (name) {
      case "tcp4" -> TcpProvider::new;
      case "udp4" -> UdpProvider::new;
      default -> InMemoryProvider::new;
    };
  }
}
