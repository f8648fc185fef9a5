package dev.protochain.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.NotInitialisedException;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LifecycleEvent;
import dev.protochain.runtime.ProviderState;
import dev.protochain.runtime.internal.RegisteredProviderSource;
import dev.protochain.testkit.internal.Chains;
import dev.protochain.testkit.internal.Echo;
import dev.protochain.testkit.internal.FailingBase;
import dev.protochain.testkit.internal.Payloads;
import dev.protochain.testkit.internal.ProbeLayer;
import dev.protochain.testkit.internal.Threads;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checks every provider passes, over the chains its contract names; {@link LayerContract} and
 * {@link BaseProviderContract} say what is under test. Each test builds its own runtime, and after
 * each test every session it opened must be closed and every count back at zero.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractContract {

  static final int MIB = 1 << 20;
  static final String PROBE = "testkit-probe";
  static final String FAILING = "testkit-failing";
  static final String UNDECLARED = "testkit-undeclared";
  static final SocketOption<Integer> UNKNOWN_OPTION =
      ChainSocketOptions.create("testkit-unknown", Integer.class);

  private final List<ChainRuntime> runtimes = new ArrayList<>();
  final List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());
  ExecutorService pool;
  RegisteredProviderSource source;

  AbstractContract() {}

  /* ---- what the contract of a kind of provider supplies ---- */

  /** The provider class under test; it carries a {@link dev.protochain.api.spi.ProviderInfo}. */
  abstract Class<? extends Provider> subjectClass();

  /** Makes one instance of the provider under test. */
  abstract Provider newSubject() throws Exception;

  /** The name of the entry whose count is that of the provider under test. */
  abstract String subjectEntry();

  /** The catalog, the provider under test's entry carrying its settings and {@code extra}. */
  abstract Catalog catalog(Map<String, String> extra);

  /** The cases, one per base the provider is run over. */
  abstract List<Chains> cases();

  /* ---- hooks a contract test may override, the same for a layer and a base ---- */

  /** Returns the descriptor of the provider under test, read from its {@code @ProviderInfo}. */
  protected final ProviderDescriptor descriptor() {
    return describe(subjectClass());
  }

  /** Returns settings the provider must refuse at load, with its messages. Default: none. */
  protected List<BadSettings> badSettings() {
    return List.of();
  }

  /** Returns the size of the large echo, run once per stream transport. Default: 16 MiB. */
  protected int largePayloadBytes() {
    return 16 * MIB;
  }

  /**
   * Configures each runtime before it is built, say to register a service the provider looks up
   * with {@link ChainRuntime.Builder#service}. Default: nothing.
   */
  protected void configure(ChainRuntime.Builder builder) {}

  final Stream<Chains> allCases() {
    return cases().stream();
  }

  final Stream<Chains> streamCases() {
    return cases().stream().filter(Chains::stream);
  }

  final Stream<Chains> datagramCases() {
    return cases().stream().filter(c -> !c.stream());
  }

  /** The stream cases whose final cleanup can be watched from a peer that outlives it. */
  Stream<Chains> finalCleanupCases() {
    return streamCases();
  }

  /**
   * Whether the provider's sockets bind, listen and accept; see {@link LayerContract#listens()}.
   */
  boolean subjectListens() {
    return true;
  }

  /**
   * Starts what connections of {@code c} need beside their peer; see {@link
   * LayerContract#startPeerService}.
   */
  Closeable peerService(ChainRuntime rt, Chains c) throws IOException {
    return () -> {};
  }

  /** Whether connections of {@code c} carry a half-close; see {@link LayerContract#halfCloses}. */
  boolean halfCloses(Chains c) {
    return true;
  }

  /**
   * The most bytes an echo over {@code c} may have in flight, 0 for no bound; see {@link
   * LayerContract#bytesInFlight}.
   */
  int bytesInFlight(Chains c) {
    return 0;
  }

  /* ---- fixture ---- */

  @BeforeEach
  final void startKit() {
    AtomicInteger n = new AtomicInteger();
    pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "testkit-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    events.clear();
    source =
        new RegisteredProviderSource("testkit providers")
            .register(descriptor(), this::newSubject)
            .register(describe(ProbeLayer.class), ProbeLayer::new)
            .register(describe(FailingBase.class), FailingBase::new);
  }

  @AfterEach
  final void stopKit() throws Exception {
    List<String> left = new ArrayList<>();
    try {
      for (ChainRuntime rt : runtimes) {
        Map<Integer, Integer> counts = rt.counts();
        if (counts.values().stream().anyMatch(c -> c != 0)) {
          left.add(rt + " " + counts);
        }
        rt.close();
      }
    } finally {
      runtimes.clear();
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), left, "every session a test opens must be closed by its end");
  }

  static ProviderDescriptor describe(Class<?> type) {
    try {
      return ProviderDescriptor.of(type);
    } catch (ProtochainException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Builds a runtime over {@code catalog} and the kit's providers, closed after the test. */
  final ChainRuntime runtime(Catalog catalog) throws IOException {
    ChainRuntime.Builder b =
        ChainRuntime.builder()
            .name("testkit")
            .catalog(catalog)
            .source(source)
            .listener(events::add)
            .shutdownHook(false)
            .drainTimeout(Duration.ofSeconds(20));
    configure(b);
    ChainRuntime rt = b.build();
    runtimes.add(rt);
    return rt;
  }

  final ChainRuntime runtime() throws IOException {
    return runtime(catalog(Map.of()));
  }

  static int id(ChainRuntime rt, String entryName) {
    return entry(rt, entryName).id();
  }

  static CatalogEntry entry(ChainRuntime rt, String entryName) {
    return rt.catalog()
        .entry(entryName)
        .orElseThrow(() -> new AssertionError("no entry " + entryName));
  }

  final List<String> eventLines() {
    List<String> lines = new ArrayList<>();
    synchronized (events) {
      for (LifecycleEvent e : events) {
        lines.add(
            e.type()
                + " "
                + e.provider().name()
                + (e.type() == LifecycleEvent.Type.STARTUP
                        || e.type() == LifecycleEvent.Type.CLEANUP
                    ? " " + e.count()
                    : ""));
      }
    }
    return lines;
  }

  /** A listening socket bound to an ephemeral loopback port. */
  static ChainSocket listen(Session session, Chains c) throws IOException {
    ChainSocket listener = session.open();
    listener.bind(c.bind());
    listener.listen(64);
    return listener;
  }

  /**
   * The far end of a test's connections: a session over the case's peer chain, what the contract
   * starts beside it (a proxy, say), and a socket listening on an ephemeral port. Closing it closes
   * all three, the listener first.
   */
  record Peer(Session session, Closeable service, ChainSocket listener) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      Throwable failed = null;
      for (Closeable c : List.<Closeable>of(listener, service, session)) {
        try {
          c.close();
        } catch (IOException | RuntimeException | Error e) { // a service may fail an assertion
          if (failed == null) {
            failed = e;
          } else {
            failed.addSuppressed(e);
          }
        }
      }
      if (failed instanceof IOException io) {
        throw io;
      } else if (failed instanceof RuntimeException r) {
        throw r;
      } else if (failed != null) {
        throw (Error) failed;
      }
    }
  }

  /**
   * Starts the peer of case {@code c} in {@code rt}: its session, then its service, then its
   * listener.
   */
  final Peer startPeer(ChainRuntime rt, Chains c) throws IOException {
    Session session = rt.startup(c.peer());
    Closeable service = () -> {};
    try {
      // The service comes before the listener, so that an address it must take is still free.
      service = peerService(rt, c);
      return new Peer(session, service, listen(session, c));
    } catch (IOException | RuntimeException | Error e) {
      for (Closeable started : List.of(service, session)) {
        try {
          started.close();
        } catch (IOException | RuntimeException | Error suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /**
   * Connects {@code s} to {@code listener} and returns the connection {@code listener} accepted.
   * The accept runs on another thread: a layer that handshakes (TLS) returns from {@code connect}
   * only once the peer's {@code accept} has answered, so one thread cannot do both in turn.
   */
  final ChainSocket connectAndAccept(ChainSocket s, ChainSocket listener) throws Exception {
    Future<ChainSocket> accepting = pool.submit(listener::accept);
    s.connect(listener.localAddress(), Duration.ofSeconds(10));
    return accepting.get(30, TimeUnit.SECONDS);
  }

  /**
   * Binds {@code socket} to an ephemeral port if the provider's sockets bind, so that it holds a
   * resource its provider's cleanup must free; a socket of a layer that does not bind ({@link
   * LayerContract#listens()} is false) stays open and unbound.
   */
  final void occupy(ChainSocket socket, Chains c) throws IOException {
    if (subjectListens()) {
      socket.bind(c.bind());
    }
  }

  /**
   * Echoes {@code payload} over {@code s} as {@link Echo#exchange} does, within what the path of
   * {@code c} carries.
   */
  final byte[] echo(Chains c, ChainSocket s, byte[] payload, int maxChunk, int readSize, long seed)
      throws Exception {
    return Echo.exchange(
        s, payload, maxChunk, readSize, seed, halfCloses(c), bytesInFlight(c), pool);
  }

  /** Skips the calling check, saying why, when the provider's sockets do not listen. */
  final void assumeListening(String check) {
    Assumptions.assumeTrue(
        subjectListens(),
        () ->
            "skipped by the contract: "
                + descriptor()
                + " does not bind, listen or accept (LayerContract#listens() is false), so "
                + check);
  }

  static Object attempt(Callable<?> op) {
    try {
      return op.call();
    } catch (Exception e) {
      return e;
    }
  }

  static byte[] readAll(ChainSocket socket) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(8191);
    while (socket.receive(buf.clear()) >= 0) {
      out.write(buf.array(), 0, buf.position());
    }
    return out.toByteArray();
  }

  static void assertSameBytes(byte[] expected, byte[] actual) {
    assertEquals(expected.length, actual.length, "length");
    assertEquals(Payloads.sha256(expected), Payloads.sha256(actual), "SHA-256");
  }

  /* ---- lifecycle ---- */

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("allCases")
  void countsRiseAndFallTogetherAtEveryDepth(Chains c) throws Exception {
    ChainRuntime rt = runtime();
    int probe = id(rt, PROBE);
    int subject = id(rt, subjectEntry());
    Session first = rt.startup(c.probe());
    Session second = rt.startup(c.probe());
    assertEquals(counts(probe, 2, subject, 2, c.baseId(), 2), rt.counts());
    assertEquals(1, rt.loads(subject), "one load for both startups");
    assertEquals(ProviderState.RUNNING, rt.state(subject));

    first.close();
    assertEquals(counts(probe, 1, subject, 1, c.baseId(), 1), rt.counts());
    second.close();
    assertEquals(counts(probe, 0, subject, 0, c.baseId(), 0), rt.counts());
    assertEquals(ProviderState.UNLOADED, rt.state(subject));
    first.close(); // closing twice is harmless
    assertEquals(counts(probe, 0, subject, 0, c.baseId(), 0), rt.counts());
  }

  static Map<Integer, Integer> counts(int... idAndCount) {
    Map<Integer, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < idAndCount.length; i += 2) {
      m.put(idAndCount[i], idAndCount[i + 1]);
    }
    return m;
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("allCases")
  void theLastCleanupUnloadsTopDown(Chains c) throws Exception {
    ChainRuntime rt = runtime();
    Session s = rt.startup(c.probe());
    ChainSocket socket = s.open();
    occupy(socket, c);
    events.clear();

    s.close();

    String base = rt.catalog().entry(c.baseId()).orElseThrow().name();
    List<String> expected = new ArrayList<>(List.of("CLEANUP " + PROBE + " 0", "UNLOAD " + PROBE));
    if (!base.equals(subjectEntry())) {
      expected.addAll(List.of("CLEANUP " + subjectEntry() + " 0", "UNLOAD " + subjectEntry()));
    }
    expected.addAll(List.of("CLEANUP " + base + " 0", "UNLOAD " + base));
    assertEquals(expected, eventLines());
    assertFalse(socket.isOpen(), "the final cleanup closes the sockets still open");
  }

  @Test
  void aStartupFailingAboveTheProviderCleansItUpAgain() throws Exception {
    Chains c = cases().get(0);
    ChainRuntime rt = runtime();
    CatalogEntry failing = entry(rt, FAILING + "-" + c.subject());
    int subject = id(rt, subjectEntry());

    ProtochainException e = assertThrows(ProtochainException.class, () -> rt.startup(failing.id()));

    assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
    assertEquals(
        "startup of "
            + failing
            + ": provider '"
            + PROBE
            + "' (entry "
            + id(rt, FAILING)
            + ") at depth 0 failed to start: java.io.IOException: "
            + ProbeLayer.FAILURE,
        e.getMessage());
    assertEquals(counts(id(rt, FAILING), 0, subject, 0, c.baseId(), 0), sorted(rt.counts()));
    assertEquals(ProviderState.UNLOADED, rt.state(subject));
    assertEquals(1, rt.loads(subject));
    try (Session again = rt.startup(c.subject())) {
      assertEquals(2, rt.loads(subject), "a fresh load after the rollback");
      assertEquals(1, rt.count(subject));
      assertEquals(c.subject(), again.entry().name());
    }
  }

  static Map<Integer, Integer> sorted(Map<Integer, Integer> counts) {
    Map<Integer, Integer> m = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<Integer, Integer>comparingByKey().reversed())
        .forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("allCases")
  void aProviderAtZeroStartsAgainAsAFreshInstanceAndLeavesNoThreadBehind(Chains c)
      throws Exception {
    ChainRuntime rt = runtime();
    int subject = id(rt, subjectEntry());
    rt.startup(c.subject()).close();
    rt.startup(c.subject()).close();
    List<Provider> made = source.instances(descriptor().id());
    assertEquals(2, made.size(), "one instance per load");
    assertNotSame(made.get(0), made.get(1));
    exchangeALittle(rt, c);
    assertEquals(3, rt.loads(subject));

    Set<Thread> before = Threads.snapshot();
    for (int i = 0; i < 50; i++) {
      try (Session s = rt.startup(c.subject());
          ChainSocket socket = s.open()) {
        occupy(socket, c);
      }
    }
    assertEquals(53, rt.loads(subject));
    assertEquals(
        List.of(), Threads.leftBehind(before, 5_000), "threads left after 50 start/stop cycles");
  }

  /** Echoes a few kilobytes (stream) or sends a few datagrams, to show the chain works. */
  final void exchangeALittle(ChainRuntime rt, Chains c) throws Exception {
    byte[] payload = Payloads.random(10_007, 11);
    if (c.stream()) {
      try (Peer peer = startPeer(rt, c);
          Session client = rt.startup(c.subject())) {
        try (Echo echo = Echo.serve(peer.listener(), 1_000, pool);
            ChainSocket s = client.open()) {
          s.connect(peer.listener().localAddress(), Duration.ofSeconds(10));
          assertSameBytes(payload, echo(c, s, payload, 3_000, 777, 1));
          assertEquals(1, echo.accepted());
        }
      }
    } else {
      try (Session session = rt.startup(c.subject());
          ChainSocket a = session.open();
          ChainSocket b = session.open()) {
        a.bind(c.bind());
        b.bind(c.bind());
        b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
        byte[] small = Arrays.copyOf(payload, 1_000);
        a.sendTo(ByteBuffer.wrap(small), b.localAddress());
        ByteBuffer got = ByteBuffer.allocate(2_000);
        b.receiveFrom(got);
        assertArrayEquals(small, Arrays.copyOf(got.array(), got.position()));
      }
    }
  }

  @Test
  void aCleanupWithoutAStartupFailsWithNotInitialised() throws Exception {
    Chains c = cases().get(0);
    ChainRuntime rt = runtime();
    rt.startup(c.subject()).close();
    CatalogEntry chain = entry(rt, c.subject());

    NotInitialisedException e =
        assertThrows(NotInitialisedException.class, () -> rt.cleanup(chain.id()));

    assertEquals(
        "provider '" + descriptor().name() + "' (entry " + chain.id() + "): count 0, cleanup 1",
        e.getMessage());
    assertEquals(0, rt.count(id(rt, subjectEntry())));
  }

  /* ---- data ---- */

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("streamCases")
  void aLargeRandomPayloadEchoesIntact(Chains c) throws Exception {
    byte[] payload = Payloads.mixed(largePayloadBytes(), 16);
    ChainRuntime rt = runtime();
    try (Peer peer = startPeer(rt, c);
        Session client = rt.startup(c.subject())) {
      try (Echo echo = Echo.serve(peer.listener(), 37_001, pool);
          ChainSocket s = client.open()) {
        s.connect(peer.listener().localAddress(), Duration.ofSeconds(10));
        assertSameBytes(payload, echo(c, s, payload, 65_537, 49_999, 2));
        assertEquals(1, echo.accepted());
      }
    }
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("streamCases")
  void oddBufferSizesOnBothSidesLoseNoByte(Chains c) throws Exception {
    // {payload size, largest write, read buffer size}
    int[][] shapes = {
      {20_011, 3, 1}, {100_003, 1_000, 7}, {300_007, 70_001, 4_093}, {100_003, 13, 65_537}
    };
    ChainRuntime rt = runtime();
    try (Peer peer = startPeer(rt, c);
        Session client = rt.startup(c.subject())) {
      for (int[] shape : shapes) {
        byte[] payload = Payloads.mixed(shape[0], shape[1]);
        ChainSocket listener = listen(peer.session(), c);
        try (Echo echo = Echo.serve(listener, shape[2], pool);
            ChainSocket s = client.open()) {
          s.connect(listener.localAddress(), Duration.ofSeconds(10));
          assertSameBytes(payload, echo(c, s, payload, shape[1], shape[2], shape[0]));
          assertEquals(1, echo.accepted());
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("datagramCases")
  void datagramsArriveWholeWithTheirBoundaries(Chains c) throws Exception {
    ChainRuntime rt = runtime();
    try (Session session = rt.startup(c.subject());
        ChainSocket a = session.open();
        ChainSocket b = session.open()) {
      a.bind(c.bind());
      b.bind(c.bind());
      b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
      a.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
      Random sizes = new Random(5);
      for (int i = 0; i < 40; i++) {
        byte[] datagram = Payloads.random(1 + sizes.nextInt(8_000), i);
        assertEquals(datagram.length, a.sendTo(ByteBuffer.wrap(datagram), b.localAddress()));
        ByteBuffer got = ByteBuffer.allocate(9_000);
        SocketAddress from = b.receiveFrom(got);
        assertEquals(
            ((InetSocketAddress) a.localAddress()).getPort(), ((InetSocketAddress) from).getPort());
        assertArrayEquals(datagram, Arrays.copyOf(got.array(), got.position()), "datagram " + i);
      }
      a.connect(b.localAddress());
      b.connect(a.localAddress());
      byte[] reply = Payloads.random(3_001, 99);
      b.send(ByteBuffer.wrap(reply));
      ByteBuffer small = ByteBuffer.allocate(1_000);
      assertEquals(1_000, a.receive(small), "a datagram is truncated to fit");
      assertArrayEquals(Arrays.copyOf(reply, 1_000), small.array());
      a.send(ByteBuffer.wrap(reply));
      ByteBuffer whole = ByteBuffer.allocate(4_000);
      assertEquals(reply.length, b.receive(whole));
      assertArrayEquals(reply, Arrays.copyOf(whole.array(), whole.position()));
    }
  }

  /* ---- graceful close ---- */

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("finalCleanupCases")
  void theFinalCleanupDeliversWhatAGracefullyClosedSocketStillHolds(Chains c) throws Exception {
    finalCleanupDeliversEverything(c, true);
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("finalCleanupCases")
  void theFinalCleanupClosesAnOpenSocketGracefullyAndDeliversEverything(Chains c) throws Exception {
    finalCleanupDeliversEverything(c, false);
  }

  private void finalCleanupDeliversEverything(Chains c, boolean closeFirst) throws Exception {
    byte[] payload = Payloads.mixed(MIB + 17, 3);
    ChainRuntime rt = runtime();
    ChainRuntime peerRuntime = c.separatePeer() ? runtime() : rt;
    try (Peer peer = startPeer(peerRuntime, c)) {
      Session client = rt.startup(c.subject());
      ChainSocket s = client.open();
      ChainSocket accepted = connectAndAccept(s, peer.listener());
      // The peer closes once it has read to the end, as a peer does: a layer whose close waits
      // for the peer's (TLS reads until the peer closes) then finishes at once.
      Future<byte[]> reading =
          pool.submit(
              () -> {
                try (accepted) {
                  return readAll(accepted);
                }
              });
      Echo.sendInChunks(s, payload, 9_000, 4);
      if (closeFirst) {
        s.close();
      }

      client.close(); // the final cleanup of what the client's chain holds alone

      assertSameBytes(payload, reading.get(60, TimeUnit.SECONDS));
      assertFalse(s.isOpen());
      assertEquals(0, rt.count(id(rt, subjectEntry())));
    }
    assertEquals(
        List.of(),
        eventLines().stream()
            .filter(l -> l.startsWith("UNDELIVERED") || l.startsWith("FAILURE"))
            .toList());
  }

  /* ---- concurrency ---- */

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("streamCases")
  void manyConnectionsAtOnceEachEchoIntact(Chains c) throws Exception {
    int connections = 16;
    ChainRuntime rt = runtime();
    try (Peer peer = startPeer(rt, c);
        Session client = rt.startup(c.subject())) {
      ChainSocket listener = peer.listener();
      try (Echo echo = Echo.serve(listener, 8_191, pool)) {
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
          int seed = 100 + i;
          running.add(
              pool.submit(
                  () -> {
                    byte[] payload = Payloads.mixed(128 * 1024 + seed, seed);
                    try (ChainSocket s = client.open()) {
                      s.connect(listener.localAddress(), Duration.ofSeconds(20));
                      assertSameBytes(payload, echo(c, s, payload, 5_000, 3_001, seed));
                    }
                    return null;
                  }));
        }
        for (Future<?> f : running) {
          f.get(90, TimeUnit.SECONDS);
        }
        assertEquals(connections, echo.accepted());
      }
    }
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("allCases")
  void startupsAndCleanupsFromManyThreadsEndAtZero(Chains c) throws Exception {
    ChainRuntime rt = runtime();
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      running.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 25; i++) {
                  try (Session s = rt.startup(c.probe());
                      ChainSocket socket = s.open()) {
                    occupy(socket, c);
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : running) {
      f.get(60, TimeUnit.SECONDS);
    }
    int subject = id(rt, subjectEntry());
    assertEquals(counts(id(rt, PROBE), 0, subject, 0, c.baseId(), 0), sorted(rt.counts()));
    assertTrue(rt.loads(subject) >= 1);
  }

  /* ---- after the final cleanup ---- */

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("streamCases")
  void streamOperationsEndedByTheFinalCleanupFailWithOperationAborted(Chains c) throws Exception {
    ChainRuntime rt = runtime();
    // A provider that listens is its own peer here; one that does not connects to a peer that lives
    // on.
    try (Peer peer = subjectListens() ? null : startPeer(rt, c)) {
      Session session = rt.startup(c.subject());
      CatalogEntry chain = session.entry();
      ChainSocket listener = peer == null ? listen(session, c) : peer.listener();
      ChainSocket s = session.open();
      ChainSocket accepted = connectAndAccept(s, listener);
      Future<Object> receiving =
          pool.submit(() -> attempt(() -> s.receive(ByteBuffer.allocate(16))));
      Thread.sleep(300); // it blocks

      session.close();

      String by = "provider '" + descriptor().name() + "' (entry " + id(rt, subjectEntry()) + ")";
      assertAborted(
          "receive on a socket of " + chain + " aborted: " + by + " was cleaned up",
          receiving.get(10, TimeUnit.SECONDS));
      assertAborted(
          "send on a socket of " + chain + " aborted: " + by + " was cleaned up",
          attempt(() -> s.send(ByteBuffer.allocate(1))));
      assertFalse(s.isOpen());
      NotInitialisedException e = assertThrows(NotInitialisedException.class, session::open);
      assertEquals("session of " + chain + " was cleaned up: count 0, open 1", e.getMessage());
      accepted.close();
    }
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("streamCases")
  void acceptsAndAcceptedSocketsEndedByTheFinalCleanupFailWithOperationAborted(Chains c)
      throws Exception {
    assumeListening("it has no listening or accepted socket for its final cleanup to end");
    ChainRuntime rt = runtime();
    Session session = rt.startup(c.subject());
    CatalogEntry chain = session.entry();
    ChainSocket listener = listen(session, c);
    ChainSocket s = session.open();
    ChainSocket accepted = connectAndAccept(s, listener);
    Future<Object> accepting = pool.submit(() -> attempt(listener::accept));
    Future<Object> receiving =
        pool.submit(() -> attempt(() -> accepted.receive(ByteBuffer.allocate(16))));
    Thread.sleep(300); // both block

    session.close();

    String by = "provider '" + descriptor().name() + "' (entry " + id(rt, subjectEntry()) + ")";
    assertAborted(
        "accept on a socket of " + chain + " aborted: " + by + " was cleaned up",
        accepting.get(10, TimeUnit.SECONDS));
    assertAborted(
        "receive on a socket of " + chain + " aborted: " + by + " was cleaned up",
        receiving.get(10, TimeUnit.SECONDS));
    assertAborted(
        "send on a socket of " + chain + " aborted: " + by + " was cleaned up",
        attempt(() -> accepted.send(ByteBuffer.allocate(1))));
    assertFalse(accepted.isOpen());
    assertFalse(listener.isOpen());
    assertFalse(s.isOpen());
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("datagramCases")
  void datagramOperationsEndedByTheFinalCleanupFailWithOperationAborted(Chains c) throws Exception {
    ChainRuntime rt = runtime();
    Session session = rt.startup(c.subject());
    CatalogEntry chain = session.entry();
    ChainSocket a = session.open();
    a.bind(c.bind());
    Future<Object> receiving =
        pool.submit(() -> attempt(() -> a.receiveFrom(ByteBuffer.allocate(16))));
    Thread.sleep(300);

    session.close();

    String by = "provider '" + descriptor().name() + "' (entry " + id(rt, subjectEntry()) + ")";
    assertAborted(
        "receiveFrom on a socket of " + chain + " aborted: " + by + " was cleaned up",
        receiving.get(10, TimeUnit.SECONDS));
    assertAborted(
        "sendTo on a socket of " + chain + " aborted: " + by + " was cleaned up",
        attempt(() -> a.sendTo(ByteBuffer.allocate(1), c.bind())));
    NotInitialisedException e = assertThrows(NotInitialisedException.class, session::open);
    assertEquals("session of " + chain + " was cleaned up: count 0, open 1", e.getMessage());
  }

  static void assertAborted(String message, Object outcome) {
    ProtochainException e = assertInstanceOf(ProtochainException.class, outcome);
    assertEquals(ProtochainException.Code.OPERATION_ABORTED, e.code());
    assertEquals(message, e.getMessage());
  }

  /* ---- bad options and settings ---- */

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("allCases")
  void badOptionsFailClearly(Chains c) throws Exception {
    ChainRuntime rt = runtime();
    try (Session session = rt.startup(c.subject());
        ChainSocket s = session.open()) {
      UnsupportedOperationException set =
          assertThrows(UnsupportedOperationException.class, () -> s.setOption(UNKNOWN_OPTION, 1));
      UnsupportedOperationException get =
          assertThrows(UnsupportedOperationException.class, () -> s.getOption(UNKNOWN_OPTION));
      IllegalArgumentException negative =
          assertThrows(
              IllegalArgumentException.class,
              () -> s.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(-1)));
      checkOptionErrors(c, rt, set, get, negative);
      assertTrue(s.supportedOptions().contains(ChainSocketOptions.RECEIVE_TIMEOUT));
      assertFalse(s.supportedOptions().contains(UNKNOWN_OPTION));
    }
  }

  /** Checks the messages of the three option failures of {@link #badOptionsFailClearly}. */
  abstract void checkOptionErrors(
      Chains c,
      ChainRuntime rt,
      UnsupportedOperationException set,
      UnsupportedOperationException get,
      IllegalArgumentException negative)
      throws IOException;

  @Test
  void badSettingsAreRefusedAtStartupWithAClearError() throws Exception {
    Chains c = cases().get(0);
    ChainRuntime rt = runtime(catalog(Map.of(UNDECLARED, "1")));
    CatalogEntry own = entry(rt, subjectEntry());
    List<String> accepted = new ArrayList<>();
    descriptor().settings().forEach(s -> accepted.add(s.name()));

    ProtochainException e = assertThrows(ProtochainException.class, () -> rt.startup(c.subject()));

    assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
    assertEquals(
        "provider '"
            + descriptor().name()
            + "' (entry "
            + own.id()
            + ") failed to load: "
            + own
            + " sets '"
            + UNDECLARED
            + "', which provider '"
            + descriptor().name()
            + "' does not accept (accepted: "
            + (accepted.isEmpty() ? "none" : String.join(", ", accepted))
            + ").",
        e.getMessage());
    assertTrue(rt.counts().values().stream().allMatch(n -> n == 0), rt.counts().toString());

    for (BadSettings bad : badSettings()) {
      ChainRuntime badRuntime = runtime(catalog(bad.settings()));
      ProtochainException refused =
          assertThrows(
              ProtochainException.class, () -> badRuntime.startup(c.subject()), bad.toString());
      assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, refused.code(), bad.toString());
      assertEquals(bad.expectedMessage(), refused.getCause().getMessage(), bad.toString());
      assertTrue(
          badRuntime.counts().values().stream().allMatch(n -> n == 0),
          badRuntime.counts().toString());
    }
  }
}
