package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.layers.deflate.DeflateLayer;
import dev.protochain.layers.tls.TlsLayer;
import dev.protochain.runtime.internal.Threads;
import dev.protochain.runtime.testing.Clients;
import dev.protochain.runtime.testing.OpenSsl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every thread protochain starts comes from the runtime's thread factory (issue 13): layer timers,
 * tls closes and drain watchdogs, from the factory given to the builder, or by default virtual
 * threads where the JDK has them and daemon platform threads otherwise.
 */
@Timeout(120)
class ThreadFactoryTest {

  @TempDir static Path dir;
  static Map<String, String> tls;

  final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeAll
  static void makePki() throws Exception {
    OpenSsl openssl = OpenSsl.in(dir);
    OpenSsl.Issued ca = openssl.ca("ca");
    OpenSsl.Issued server = openssl.leaf("server", ca, "ec");
    tls =
        Map.of(
            "trust", ca.cert().toString(),
            "key", server.key().toString(),
            "cert", dir.resolve("server-chain.pem").toString());
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  /** Makes platform threads and remembers each. */
  static final class Recording implements ThreadFactory {
    final Set<Thread> made = ConcurrentHashMap.newKeySet();

    @Override
    public Thread newThread(Runnable task) {
      Thread t = new Thread(task);
      made.add(t);
      return t;
    }

    /** Returns the names of the threads it made that were started. */
    Set<String> started() {
      return made.stream()
          .filter(t -> t.getState() != Thread.State.NEW)
          .map(Thread::getName)
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /**
   * Coalesce, deflate (both holding for an hour: a send schedules a timer, a close lingers and the
   * final cleanup drains) and tls, each over tcp4.
   */
  static Catalog catalog() throws IOException {
    Map<String, String> holdAnHour =
        Map.of("threshold", "1048576", "delay", "1h", "flush-on-receive", "false");
    return Catalog.builtin()
        .installLayer(
            "coalesce", ProviderDescriptor.of(CoalesceLayer.class).id(), holdAnHour, List.of(1001))
        .installLayer(
            "deflate",
            ProviderDescriptor.of(DeflateLayer.class).id(),
            Map.of("delay", "1h"),
            List.of(1001))
        .installLayer("tls", ProviderDescriptor.of(TlsLayer.class).id(), tls, List.of(1001))
        .checkValid("test catalog");
  }

  static ChainRuntime runtime(String name, ThreadFactory threads) throws IOException {
    return ChainRuntime.builder()
        .name(name)
        .catalog(catalog())
        .shutdownHook(false)
        .threadFactory(threads)
        .build();
  }

  @Test
  void everyThreadOfTimersClosesAndDrainsComesFromTheBuildersFactory() throws Exception {
    Recording threads = new Recording();
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    Set<Thread> seen = ConcurrentHashMap.newKeySet();
    try (ChainRuntime servers = runtime("servers", threads)) {
      for (String chain : List.of("coalesce-tcp4", "deflate-tcp4", "tls-tcp4")) {
        byte[] payload = new byte[20_000];
        new Random(chain.hashCode()).nextBytes(payload);
        try (Session server = servers.startup(chain);
            ChainSocket listener = server.open();
            ChainRuntime clients = runtime("clients", threads)) {
          listener.bind(new InetSocketAddress("127.0.0.1", 0));
          listener.listen(1);
          Future<byte[]> received = pool.submit(() -> readAll(listener));
          Session client = clients.startup(chain);
          ChainSocket socket = client.open();
          socket.connect(listener.localAddress());
          socket.sendFully(ByteBuffer.wrap(payload));
          socket.close(); // coalesce and deflate: lingers, holding; tls: a close thread finishes it
          seen.addAll(protochainThreadsSince(before));
          client.close(); // the final cleanup drains what a closed socket still holds
          assertArrayEquals(payload, received.get(30, TimeUnit.SECONDS), chain);
          seen.addAll(protochainThreadsSince(before));
        }
      }
    }
    Set<String> started = threads.started();
    // A tls close may or may not still linger when its final cleanup runs: then a drain runs too.
    started.remove("protochain-drain-tls");
    assertEquals(
        new TreeSet<>(
            List.of(
                "protochain-coalesce-coalesce",
                "protochain-deflate-deflate",
                "protochain-drain-coalesce",
                "protochain-drain-deflate",
                "protochain-tls-close-tls")),
        started);
    seen.removeAll(threads.made);
    assertEquals(Set.of(), seen, "protochain threads that did not come from the factory");
  }

  /** Accepts one connection and returns all it receives. */
  static byte[] readAll(ChainSocket listener) throws IOException {
    try (ChainSocket peer = listener.accept()) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(8192);
      for (int n = peer.receive(buf); n >= 0; n = peer.receive(buf.clear())) {
        all.write(buf.array(), 0, n);
      }
      return all.toByteArray();
    }
  }

  /**
   * Returns the live platform threads named protochain-... that were not alive at {@code before}.
   */
  static Set<Thread> protochainThreadsSince(Set<Thread> before) {
    Set<Thread> now = new java.util.HashSet<>(Thread.getAllStackTraces().keySet());
    now.removeAll(before);
    now.removeIf(t -> !t.getName().startsWith("protochain-"));
    return now;
  }

  /**
   * 64 graceful tls closes at once, peers that do not close yet: with a factory of platform
   * threads, at most 16 of them run the closes.
   */
  @Test
  void tlsClosesOnAFactoryOfPlatformThreadsUseAtMost16() throws Exception {
    Recording threads = new Recording();
    List<ChainSocket> peers = new ArrayList<>();
    try (ChainRuntime runtime = runtime("bound", threads);
        Session session = runtime.startup("tls-tcp4");
        ChainSocket listener = session.open()) {
      listener.bind(new InetSocketAddress("127.0.0.1", 0));
      listener.listen(64);
      try {
        for (ChainSocket client : Clients.connectMany(pool, session, listener, 64, peers)) {
          client.close(); // returns at once; a close thread waits for the peer's close
        }
        Thread.sleep(500);
        long closeThreads =
            threads.made.stream()
                .filter(t -> t.getState() != Thread.State.NEW)
                .filter(t -> t.getName().equals("protochain-tls-close-tls"))
                .count();
        assertEquals(16, closeThreads, "close threads started for 64 closes at once");
      } finally {
        for (ChainSocket peer : peers) {
          peer.close();
        }
      }
    }
  }

  @Test
  void theDefaultMakesVirtualThreadsFromJdk21AndDaemonPlatformThreadsBefore() throws Exception {
    try (ChainRuntime runtime =
        ChainRuntime.builder().name("defaults").shutdownHook(false).build()) {
      Thread t = runtime.threadFactory().newThread(() -> {});
      assertEquals(
          (Runtime.version().feature() >= 21 ? "virtual" : "platform")
              + " daemon thread protochain-defaults-1",
          describe(t));
    }
  }

  @Test
  void thePlatformFactoryMakesDaemonPlatformThreadsOnEveryJdk() throws Exception {
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .name("relay")
            .threadFactory(Threads.platform("relay"))
            .shutdownHook(false)
            .build()) {
      assertEquals(
          "platform daemon thread protochain-relay-1",
          describe(runtime.threadFactory().newThread(() -> {})));
    }
  }

  /** Returns {@code virtual daemon thread NAME}, say. */
  static String describe(Thread t) throws ReflectiveOperationException {
    boolean virtual;
    try {
      virtual = (Boolean) Thread.class.getMethod("isVirtual").invoke(t);
    } catch (NoSuchMethodException jdk17) {
      virtual = false;
    }
    return (virtual ? "virtual" : "platform")
        + (t.isDaemon() ? " daemon" : "")
        + " thread "
        + t.getName();
  }

  @Test
  void aFactoryOfNonDaemonThreadsGivesDaemonThreads() throws Exception {
    try (ChainRuntime runtime = runtime("daemons", r -> new Thread(r, "app-thread"))) {
      assertEquals(
          "platform daemon thread app-thread",
          describe(runtime.threadFactory().newThread(() -> {})));
    }
  }

  @Test
  void aFactoryThatMakesNoThreadIsNamed() throws Exception {
    ThreadFactory refusing =
        new ThreadFactory() {
          @Override
          public Thread newThread(Runnable r) {
            return null;
          }

          @Override
          public String toString() {
            return "RefusingFactory";
          }
        };
    try (ChainRuntime runtime = runtime("refused", refusing)) {
      RejectedExecutionException e =
          assertThrows(
              RejectedExecutionException.class, () -> runtime.threadFactory().newThread(() -> {}));
      assertEquals(
          "the thread factory of runtime 'refused' (RefusingFactory) made no thread; set one that"
              + " does with ChainRuntime.builder().threadFactory(...)",
          e.getMessage());
    }
  }

  /**
   * {@link ChainRuntime#threadFactory()} and the factory it returns are documented as callable from
   * any thread: 8 threads making 500 threads each get 4,000 distinct threads, named 1 to 4,000.
   */
  @Test
  void theDefaultFactoryIsSafeFromManyThreadsAtOnce() throws Exception {
    int callers = 8;
    int each = 500;
    try (ChainRuntime runtime = ChainRuntime.builder().name("race").shutdownHook(false).build()) {
      for (int round = 0; round < 5; round++) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Thread>>> made = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
          made.add(
              pool.submit(
                  () -> {
                    go.await();
                    List<Thread> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                      mine.add(runtime.threadFactory().newThread(() -> {}));
                    }
                    return mine;
                  }));
        }
        go.countDown();
        Set<String> names = new TreeSet<>();
        Set<Thread> distinct = ConcurrentHashMap.newKeySet();
        for (Future<List<Thread>> f : made) {
          for (Thread t : f.get(30, TimeUnit.SECONDS)) {
            distinct.add(t);
            names.add(t.getName());
          }
        }
        int first = round * callers * each + 1;
        assertEquals(callers * each, distinct.size(), "round " + round);
        assertEquals(
            IntStream.range(first, first + callers * each)
                .mapToObj(n -> "protochain-race-" + n)
                .collect(Collectors.toCollection(TreeSet::new)),
            names,
            "round " + round);
      }
    }
  }
}
