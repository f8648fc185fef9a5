package dev.protochain.layers.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.testing.Bounded;
import dev.protochain.runtime.testing.OpenSsl;
import dev.protochain.runtime.testing.Peer;
import dev.protochain.runtime.testing.PropertyTimeout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the bytes a peer sends to a {@code tls} socket, from both sides: to the server side, a
 * ClientHello captured from the layer itself, mutated, or random bytes, or records and handshake
 * messages declaring the largest lengths their headers hold; to the client side, the server's first
 * flight captured the same way, mutated likewise. A raw {@code mem-stream} socket plays the peer,
 * sends its bytes and ends its output (or, now and then, stays silent). Each case must end in an
 * {@link IOException} naming the peer and the entry, within the handshake timeout, with no thread
 * left behind and a bounded allocation whatever length a header declares; a runtime exception
 * escaping the JDK's engine would fail the case.
 */
@PropertyTimeout(seconds = 150)
class TlsFuzzTest {

  static final String HANDSHAKE_TIMEOUT = "500ms";

  /**
   * What one handshake may allocate in its thread: the engine's buffers and its crypto, a few
   * hundred KiB, and the first time a failure path runs, the classes it loads (one case measured
   * 4.2 MiB); a forged header declares up to 16 MiB for a message, which this bound still catches.
   */
  static final long ALLOCATION_BOUND = 8L << 20;

  static Path dir;
  static ChainRuntime runtime;
  static Session layered;
  static Session bare;
  static ChainSocket tlsListener;
  static ChainSocket rawListener;
  static byte[] clientHello;
  static byte[] serverFlight;
  static final AtomicLong MOST_ALLOCATED = new AtomicLong();
  static final Map<String, LongAdder> OUTCOMES = new ConcurrentHashMap<>();

  @BeforeContainer
  static void start() throws Exception {
    dir = Files.createTempDirectory("tls-fuzz");
    OpenSsl openssl = OpenSsl.in(dir);
    OpenSsl.Issued ca = openssl.ca("ca");
    OpenSsl.Issued server = openssl.leaf("server", ca, "ec");
    ProviderDescriptor tls = ProviderDescriptor.of(TlsLayer.class);
    Catalog catalog =
        Catalog.builtin()
            .installLayer(
                "tls",
                tls.id(),
                Map.of(
                    "trust",
                    ca.cert().toString(),
                    "key",
                    server.key().toString(),
                    "cert",
                    dir.resolve("server-chain.pem").toString(),
                    "handshake-timeout",
                    HANDSHAKE_TIMEOUT),
                List.of(1005))
            .checkValid("fuzz");
    runtime =
        ChainRuntime.builder()
            .name("tls-fuzz")
            .catalog(catalog)
            .shutdownHook(false)
            .drainTimeout(Duration.ofSeconds(5))
            .build();
    layered = runtime.startup("tls-mem-stream");
    bare = runtime.startup("mem-stream");
    tlsListener = layered.open();
    tlsListener.bind(null);
    tlsListener.listen(16);
    rawListener = bare.open();
    rawListener.bind(null);
    rawListener.listen(16);
    capture();
  }

  /** Captures a ClientHello the layer sends, and the first flight the layer answers it with. */
  static void capture() throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      ChainSocket client = layered.open();
      Future<?> connecting =
          pool.submit(
              () -> {
                client.connect(rawListener.localAddress());
                return null;
              });
      try (ChainSocket raw = rawListener.accept()) {
        clientHello = readFor(raw, Duration.ofMillis(300));
      }
      assertTrue(
          connecting.isDone() || awaitFailure(connecting),
          "the client gives up once the peer is gone");
      client.close();

      ChainSocket raw = bare.open();
      raw.connect(tlsListener.localAddress());
      Future<ChainSocket> accepting = pool.submit(tlsListener::accept);
      raw.sendFully(ByteBuffer.wrap(clientHello));
      serverFlight = readFor(raw, Duration.ofMillis(300));
      raw.close();
      accepting.get(10, TimeUnit.SECONDS).close();
    } finally {
      pool.shutdownNow();
    }
    assertTrue(
        clientHello.length > 5 && clientHello[0] == 0x16,
        "a ClientHello record: " + clientHello.length + " bytes");
    assertTrue(
        serverFlight.length > 5 && serverFlight[0] == 0x16,
        "a server flight: " + serverFlight.length + " bytes");
  }

  static boolean awaitFailure(Future<?> f) throws InterruptedException {
    try {
      f.get(10, TimeUnit.SECONDS);
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause() instanceof IOException;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  /**
   * Reads what arrives until {@code quiet} passes with nothing more, waiting up to 10 s for the
   * first byte (a loaded machine may take its time over a handshake's keys and signature).
   */
  static byte[] readFor(ChainSocket raw, Duration quiet) throws IOException {
    raw.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(16384);
    try {
      while (raw.receive(buf.clear()) >= 0) {
        out.write(buf.array(), 0, buf.position());
        raw.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, quiet);
      }
    } catch (SocketTimeoutException quietNow) {
      // everything the other side had to say is here
    }
    return out.toByteArray();
  }

  @AfterContainer
  static void stop() throws IOException {
    tlsListener.close();
    rawListener.close();
    layered.close();
    bare.close();
    runtime.close();
    System.out.printf(
        "tls fuzz: %s; ClientHello %d bytes, server flight %d bytes captured to mutate; at most %d bytes "
            + "allocated by one handshake (bound %d)%n",
        new TreeMap<>(OUTCOMES),
        clientHello.length,
        serverFlight.length,
        MOST_ALLOCATED.get(),
        ALLOCATION_BOUND);
    assertEquals(Map.of(1005, 0, 2001, 0), runtime.counts());
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /* ---- the server side: a peer acting as a client ---- */

  @Property(tries = 250, generation = GenerationMode.RANDOMIZED)
  void whateverAClientSendsTheServerEndsInAHandshakeFailure(
      @ForAll("toServer") byte[] bytes, @ForAll("holds") boolean hold) throws Exception {
    toServer(bytes, hold);
  }

  @Property(tries = 10_000, generation = GenerationMode.RANDOMIZED)
  @Tag("soak")
  @PropertyTimeout(seconds = 1800)
  void manyMoreClientFlights(@ForAll("toServer") byte[] bytes, @ForAll("holds") boolean hold)
      throws Exception {
    toServer(bytes, hold);
  }

  static void toServer(byte[] bytes, boolean hold) throws Exception {
    ChainSocket raw = bare.open();
    raw.connect(tlsListener.localAddress());
    Thread writer = Peer.write(raw, bytes, hold);
    Thread reader = Peer.drain(raw, b -> {});
    try {
      String outcome =
          Bounded.call(
              Duration.ofSeconds(10),
              "a server handshake with a fuzzed client",
              () -> {
                long before = Peer.allocated();
                try (ChainSocket accepted = tlsListener.accept()) {
                  IOException e = receiveFailure(accepted);
                  record(Peer.allocated() - before);
                  return outcome(e);
                }
              });
      OUTCOMES.computeIfAbsent("server: " + outcome, k -> new LongAdder()).increment();
    } finally {
      raw.close();
    }
    assertEquals(List.of(), Peer.join(5_000, writer, reader), "threads left behind");
  }

  static IOException receiveFailure(ChainSocket accepted) {
    try {
      int n = accepted.receive(ByteBuffer.allocate(64));
      throw new AssertionError("a fuzzed client completed a handshake and sent " + n + " bytes");
    } catch (IOException e) {
      return e;
    }
  }

  /* ---- the client side: a peer acting as a server ---- */

  @Property(tries = 250, generation = GenerationMode.RANDOMIZED)
  void whateverAServerAnswersTheClientEndsInAHandshakeFailure(
      @ForAll("toClient") byte[] bytes, @ForAll("holds") boolean hold) throws Exception {
    toClient(bytes, hold);
  }

  @Property(tries = 10_000, generation = GenerationMode.RANDOMIZED)
  @Tag("soak")
  @PropertyTimeout(seconds = 1800)
  void manyMoreServerFlights(@ForAll("toClient") byte[] bytes, @ForAll("holds") boolean hold)
      throws Exception {
    toClient(bytes, hold);
  }

  static void toClient(byte[] bytes, boolean hold) throws Exception {
    ChainSocket client = layered.open();
    List<Thread> peers = new ArrayList<>();
    ChainSocket[] raw = new ChainSocket[1];
    Thread acceptor =
        new Thread(
            () -> {
              try {
                raw[0] = rawListener.accept();
                peers.add(Peer.drain(raw[0], b -> {}));
                peers.add(Peer.write(raw[0], bytes, hold));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            "fuzz peer acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    try {
      String outcome =
          Bounded.call(
              Duration.ofSeconds(10),
              "a client handshake with a fuzzed server",
              () -> {
                long before = Peer.allocated();
                try {
                  client.connect(rawListener.localAddress());
                  throw new AssertionError("a fuzzed server completed a handshake");
                } catch (IOException e) {
                  record(Peer.allocated() - before);
                  return outcome(e);
                }
              });
      OUTCOMES.computeIfAbsent("client: " + outcome, k -> new LongAdder()).increment();
    } finally {
      client.close();
      acceptor.join(5_000);
      if (raw[0] != null) {
        raw[0].close();
      }
    }
    assertEquals(List.of(), Peer.join(5_000, peers.toArray(new Thread[0])), "threads left behind");
  }

  /* ---- checks ---- */

  /**
   * Checks the failure names the peer and the entry and is of a documented type; returns its type.
   */
  static String outcome(IOException e) {
    String m = String.valueOf(e.getMessage());
    assertTrue(
        m.startsWith("tls handshake with ") && m.contains(" failed (entry 2001 'tls'): "),
        () -> "names the peer and the entry: " + e);
    assertTrue(
        e instanceof SSLException
            || e instanceof SocketTimeoutException
            || e.getClass() == IOException.class,
        () -> "a documented type: " + e);
    return e.getClass().getSimpleName();
  }

  static void record(long allocated) {
    MOST_ALLOCATED.accumulateAndGet(allocated, Math::max);
    assertTrue(allocated < ALLOCATION_BOUND, "allocated " + allocated + " bytes");
  }

  /* ---- generation ---- */

  @Provide
  Arbitrary<Boolean> holds() {
    return Arbitraries.frequency(Tuple.of(60, false), Tuple.of(1, true));
  }

  @Provide
  Arbitrary<byte[]> toServer() {
    return bytes(clientHello);
  }

  @Provide
  Arbitrary<byte[]> toClient() {
    return bytes(serverFlight);
  }

  static Arbitrary<byte[]> bytes(byte[] valid) {
    Arbitrary<Peer.Mutation> mutation =
        Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 1 << 14),
                Arbitraries.integers().between(1, 40),
                Arbitraries.integers())
            .as(Peer.Mutation::new);
    Arbitrary<byte[]> mutated =
        mutation.list().ofMinSize(1).ofMaxSize(3).map(m -> Peer.mutate(valid, m));
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    // A record header declaring 0xFFFF bytes, or a handshake message declaring 0xFFFFFF, then a
    // little.
    Arbitrary<byte[]> huge =
        Combinators.combine(
                Arbitraries.integers().between(20, 24),
                Arbitraries.of(true, false),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
            .as(
                (type, inner, tail) -> {
                  ByteBuffer b =
                      ByteBuffer.allocate(9 + tail.length)
                          .put((byte) (int) type)
                          .put((byte) 3)
                          .put((byte) 3);
                  if (inner) {
                    b.putShort((short) (4 + tail.length))
                        .put((byte) 1)
                        .put((byte) 0xff)
                        .put((byte) 0xff)
                        .put((byte) 0xff);
                  } else {
                    b.putShort((short) 0xffff).putInt(0x01ffffff);
                  }
                  return b.put(tail).array();
                });
    return Arbitraries.frequencyOf(Tuple.of(7, mutated), Tuple.of(2, random), Tuple.of(2, huge));
  }
}
