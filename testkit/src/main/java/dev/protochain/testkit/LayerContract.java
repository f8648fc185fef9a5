package dev.protochain.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.Session;
import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.ProviderState;
import dev.protochain.testkit.internal.Chains;
import dev.protochain.testkit.internal.Echo;
import dev.protochain.testkit.internal.FailingBase;
import dev.protochain.testkit.internal.Payloads;
import dev.protochain.testkit.internal.ProbeLayer;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every layered provider passes, run over real chains: extend it in your test sources,
 * name your layer, and JUnit 5 runs every check over each transport the layer applies to.
 *
 * <pre>{@code
 * @Timeout(300)
 * class Rot13LayerContractTest extends LayerContract {
 *   @Override protected Class<? extends LayeredProvider> layerClass() {
 *     return Rot13Layer.class;
 *   }
 *
 *   @Override protected Map<String, String> settings() {       // optional: the settings to run with
 *     return Map.of("shift", "13");
 *   }
 *
 *   @Override protected List<BadSettings> badSettings() {      // optional: what must be refused
 *     return List.of(BadSettings.of(Map.of("shift", "x"),
 *         "setting 'shift' of entry 2001 'rot13' (layer) = 'x' is not a whole number"));
 *   }
 * }
 * }</pre>
 *
 * <h2>What it builds</h2>
 *
 * For every test a fresh {@link ChainRuntime} over {@link Catalog#builtin()} with the layer
 * installed by {@link Catalog#installLayer} over each of {@link #transports()}: the layer's own
 * entry is {@code entry 2001 '<name>' (layer)} and its chains are {@code <name>-tcp4}, {@code
 * <name>-mem-stream} and so on. A second entry {@code <name>-peer} of the same layer serves the
 * peer of each connection, so the layer's final cleanup can be watched from a peer that lives on.
 * The kit's pass-through {@code testkit-probe} layer sits above the layer to show counts and
 * cleanup order at three depths, and a base that always fails to load sits below it to show
 * rollback. The layer is made by {@link #newLayer()} at every load.
 *
 * <h2>Connections</h2>
 *
 * Both ends of a connection run the layer with {@link #settings()}, so a layer that needs something
 * at each end (TLS: key material to accept, trust to connect) gets it from one set of settings.
 * Every accept that a connect waits for runs on another thread than the connect, so a layer may
 * handshake inside {@code connect} and {@code accept}. A layer that does not listen ({@link
 * #listens()}), needs a service on the way to its peer ({@link #startPeerService}), or runs over a
 * path that carries no half-close or only so many bytes at once ({@link #halfCloses}, {@link
 * #bytesInFlight}) says so through those methods; each is documented with what it changes.
 *
 * <h2>What it checks</h2>
 *
 * <ul>
 *   <li>lifecycle: counts rise and fall together at every depth; the last cleanup unloads top-down;
 *       a startup failing above or below the layer leaves every count as before; a layer at zero
 *       starts again as a fresh instance, 50 cycles leave no thread behind; a cleanup without a
 *       startup fails with {@link dev.protochain.api.NotInitialisedException};
 *   <li>data: a payload of {@link #largePayloadBytes()} (stretches of random bytes and of repeated
 *       patterns) echoes intact (SHA-256) once per stream transport; odd read and write sizes on
 *       both sides lose no byte; datagrams arrive whole, truncated to fit when the buffer is short;
 *   <li>graceful close: the final cleanup delivers every byte a socket sent before it was closed
 *       gracefully, and closes a socket left open gracefully, delivering everything too; one socket
 *       closed from 2 and from 8 threads at once, round after round, delivers every byte it was
 *       sent and its session closes cleanly;
 *   <li>concurrency: 16 connections echo at once; startups and cleanups from 8 threads end at 0;
 *   <li>after the final cleanup: blocked and later operations fail with {@link
 *       ProtochainException.Code#OPERATION_ABORTED} and the runtime's message, on connected,
 *       listening and accepted sockets; opening a socket through the closed session fails with
 *       {@code NotInitialisedException};
 *   <li>bad input: unknown options, a negative receive timeout and misused sockets fail exactly as
 *       the base alone fails; an undeclared setting and each of {@link #badSettings()} are refused
 *       at startup with the expected message.
 * </ul>
 *
 * After each test every session must be closed and every count at zero.
 */
public abstract class LayerContract extends AbstractContract {

  private static final int FAILING_BASE_ID = 1101;

  /** Creates the contract. */
  protected LayerContract() {}

  /** Returns the layer's class; it carries a {@link dev.protochain.api.spi.ProviderInfo}. */
  protected abstract Class<? extends LayeredProvider> layerClass();

  /** Returns the settings the layer runs with in every test. Default: none, so its defaults. */
  protected Map<String, String> settings() {
    return Map.of();
  }

  /**
   * Makes one instance of the layer; called at every load. Default: the public no-argument
   * constructor, as the runtime does.
   */
  protected LayeredProvider newLayer() throws ReflectiveOperationException {
    return layerClass().getConstructor().newInstance();
  }

  /**
   * Returns the transports to run over. Default: {@code tcp4}, {@code udp4}, {@code mem-stream} and
   * {@code mem-dgram}, less those whose base lacks a service the layer requires below it.
   */
  protected Set<Transport> transports() {
    Set<Transport> out = EnumSet.noneOf(Transport.class);
    for (Transport t :
        EnumSet.of(Transport.TCP4, Transport.UDP4, Transport.MEM_STREAM, Transport.MEM_DGRAM)) {
      if (Catalog.builtin().installRefusal(descriptor(), t.entry()).isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * Returns whether the layer's sockets bind, listen and accept connections. Default: {@code true}.
   *
   * <p>A layer that only connects, such as a proxy client, returns {@code false}, and the kit then:
   *
   * <ul>
   *   <li>serves the peer of each connection from the bare base entry of the transport (a listener
   *       over {@code tcp4}, say) instead of the layer's {@code <name>-peer} entry;
   *   <li>checks that {@code bind}, {@code listen} and {@code accept} on the layer's sockets throw
   *       {@link UnsupportedOperationException}, where other layers must fail as the base does;
   *   <li>leaves unbound the sockets whose only use is to hold a resource of the chain (the
   *       lifecycle checks open them and bind nothing);
   *   <li>skips, as an aborted test whose reason names this method, the one check that needs an
   *       accepted socket of the layer: {@code acceptsAndAcceptedSocketsEndedByTheFinalCleanup…}.
   * </ul>
   *
   * The datagram checks bind their sockets, so such a layer runs over stream transports only.
   */
  protected boolean listens() {
    return true;
  }

  /**
   * Starts what a connection through the layer over {@code transport} needs on its way to the peer,
   * and returns what stops it: the proxy a proxy client connects through, say. Default: nothing.
   *
   * <p>The kit calls it in each check that connects to a peer, after it started the peer's session
   * in {@code runtime} and before the peer listens; it closes what this returns once the check's
   * connections are closed and before it compares any count, and then closes the peer's session. A
   * service may start sessions of {@code runtime} (an in-memory transport reaches only sockets of
   * its own runtime) and must close them when it is closed; it must not use the layer's own
   * entries, whose counts the checks compare.
   */
  protected Closeable startPeerService(ChainRuntime runtime, Transport transport)
      throws IOException {
    return () -> {};
  }

  /**
   * Returns whether connections through the layer over {@code transport} carry a half-close: after
   * one end shuts its output down, the other end still receives what was sent and can still send.
   * Default: {@code true}.
   *
   * <p>Return {@code false} only where something on the path cannot, such as a proxy that ends both
   * directions at the first end of stream; the echo checks then receive every byte back before the
   * client shuts its output down, and the stream must then end with no byte more. Say why in the
   * contract test.
   */
  protected boolean halfCloses(Transport transport) {
    return true;
  }

  /**
   * Returns the most bytes the echo checks may have in flight on a connection through the layer
   * over {@code transport}, sent and not yet received back; 0 for no bound. Default: 0.
   *
   * <p>Return a bound only where something on the path cannot carry both directions at once, such
   * as a relay that blocks writing one way while the other way fills up; the client then waits for
   * the echo before sending more. Say why in the contract test.
   */
  protected int bytesInFlight(Transport transport) {
    return 0;
  }

  /** Returns how messages name the layer's own entry: {@code entry 2001 '<name>' (layer)}. */
  protected final String layerEntry() {
    return "entry 2001 '" + descriptor().name() + "' (layer)";
  }

  /* ---- AbstractContract ---- */

  @Override
  final Class<? extends Provider> subjectClass() {
    return layerClass();
  }

  @Override
  final Provider newSubject() throws Exception {
    return newLayer();
  }

  @Override
  final String subjectEntry() {
    return descriptor().name();
  }

  @Override
  final boolean subjectListens() {
    return listens();
  }

  @Override
  final Closeable peerService(ChainRuntime rt, Chains c) throws IOException {
    return startPeerService(rt, transport(c));
  }

  @Override
  final boolean halfCloses(Chains c) {
    return halfCloses(transport(c));
  }

  @Override
  final int bytesInFlight(Chains c) {
    return bytesInFlight(transport(c));
  }

  private static Transport transport(Chains c) {
    for (Transport t : Transport.values()) {
      if (t.entryName().equals(c.label())) {
        return t;
      }
    }
    throw new IllegalArgumentException("no transport for case " + c);
  }

  @Override
  final Catalog catalog(Map<String, String> extra) {
    ProviderDescriptor d = descriptor();
    String name = d.name();
    Map<String, String> settings = new LinkedHashMap<>(settings());
    settings.putAll(extra);
    List<Transport> over = List.copyOf(EnumSet.copyOf(transports()));
    boolean stream = over.stream().anyMatch(Transport::isStream);
    Catalog c =
        Catalog.builtin()
            .with(
                failingBase(
                    stream
                        ? over.stream().filter(Transport::isStream).findFirst().orElseThrow()
                        : over.get(0)));
    List<Integer> ids = new ArrayList<>();
    over.forEach(t -> ids.add(t.entry().id()));
    List<Integer> withFailing = new ArrayList<>(ids);
    withFailing.add(FAILING_BASE_ID);
    c = c.installLayer(name, d.id(), settings, withFailing);
    c = c.installLayer(name + "-peer", d.id(), settings, ids);
    List<Integer> chains = new ArrayList<>();
    for (Transport t : over) {
      chains.add(c.entry(name + "-" + t.entryName()).orElseThrow().id());
    }
    java.util.UUID probe = describe(ProbeLayer.class).id();
    c = c.installLayer(PROBE, probe, Map.of(), chains);
    return c.installLayer(FAILING, probe, Map.of("fail", "true"), List.of(chains.get(0)));
  }

  private static CatalogEntry failingBase(Transport like) {
    CatalogEntry e = like.entry();
    return CatalogEntry.builder()
        .id(FAILING_BASE_ID)
        .name("testkit-failing-base")
        .providerId(describe(FailingBase.class).id())
        .serves(e.family(), e.type(), e.protocol())
        .flags(e.flags().isEmpty() ? EnumSet.noneOf(ServiceFlag.class) : EnumSet.copyOf(e.flags()))
        .version(e.version())
        .chain(ProtocolChain.base(FAILING_BASE_ID))
        .build();
  }

  @Override
  final List<Chains> cases() {
    String name = descriptor().name();
    List<Chains> out = new ArrayList<>();
    for (Transport t : EnumSet.copyOf(transports())) {
      String chain = name + "-" + t.entryName();
      String peer = listens() ? name + "-peer-" + t.entryName() : t.entryName();
      out.add(
          new Chains(
              t.entryName(),
              t.ephemeral(),
              t.isStream(),
              chain,
              peer,
              PROBE + "-" + chain,
              t.entry().id(),
              false));
    }
    return out;
  }

  @Override
  final void checkOptionErrors(
      Chains c,
      ChainRuntime rt,
      UnsupportedOperationException set,
      UnsupportedOperationException get,
      IllegalArgumentException negative)
      throws IOException {
    try (Session bare = rt.startup(c.baseId());
        ChainSocket b = bare.open()) {
      assertEquals(
          thrown(() -> b.setOption(UNKNOWN_OPTION, 1)), set.toString(), "as the base says");
      assertEquals(thrown(() -> b.getOption(UNKNOWN_OPTION)), get.toString(), "as the base says");
      assertEquals(
          thrown(
              () ->
                  b.setOption(
                      dev.protochain.api.ChainSocketOptions.RECEIVE_TIMEOUT,
                      java.time.Duration.ofSeconds(-1))),
          negative.toString(),
          "as the base says");
    }
  }

  private static String thrown(Executable op) {
    return assertThrows(Throwable.class, op).toString();
  }

  /* ---- closing from many threads ---- */

  /**
   * The longest a {@link #closingOneSocketFromManyThreadsAtOnceLosesNoByte} run per count takes.
   */
  private static final long CLOSE_RACE_NANOS = 1_500_000_000L;

  /** The most rounds of it per thread count. */
  private static final int CLOSE_RACE_ROUNDS = 150;

  /**
   * {@link ChainSocket#close} may be called from any thread, and twice is harmless: a socket that
   * was sent a few kilobytes (what a layer holds back, if it does) is closed from 2 and then from 8
   * threads at once, round after round, and every round the peer must receive every byte and the
   * session's final cleanup must succeed with nothing undelivered.
   */
  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("finalCleanupCases")
  void closingOneSocketFromManyThreadsAtOnceLosesNoByte(Chains c) throws Exception {
    ChainRuntime rt = runtime();
    List<String> summary = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    try (Peer peer = startPeer(rt, c)) {
      for (int threads : new int[] {2, 8}) {
        int rounds = 0;
        int failed = 0;
        long end = System.nanoTime() + CLOSE_RACE_NANOS;
        while (rounds < CLOSE_RACE_ROUNDS && System.nanoTime() - end < 0) {
          rounds++;
          String failure = closeFromThreadsAtOnce(rt, c, peer, threads, rounds);
          if (failure != null) {
            failed++;
            if (failures.size() < 5) {
              failures.add(threads + " threads, round " + rounds + ": " + failure);
            }
          }
        }
        summary.add(threads + " threads: " + failed + " of " + rounds + " rounds failed");
      }
    }
    assertEquals(
        List.of(),
        failures,
        "closing one socket from many threads at once (" + String.join(", ", summary) + ")");
  }

  /** Runs one round; returns what went wrong, or {@code null}. */
  private String closeFromThreadsAtOnce(
      ChainRuntime rt, Chains c, Peer peer, int threads, int round) throws Exception {
    byte[] payload = Payloads.random(1_000 + round * 37 % 3_000, round);
    events.clear();
    Session client = rt.startup(c.subject());
    ChainSocket s = client.open();
    ChainSocket accepted = connectAndAccept(s, peer.listener());
    Future<Object> reading =
        pool.submit(
            () -> {
              try (accepted) {
                return attempt(() -> readAll(accepted));
              }
            });
    Echo.sendInChunks(s, payload, 700, round);
    CyclicBarrier together = new CyclicBarrier(threads);
    List<Future<Object>> closing = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      closing.add(
          pool.submit(
              () -> {
                together.await(10, TimeUnit.SECONDS);
                return attempt(
                    () -> {
                      s.close();
                      return null;
                    });
              }));
    }
    List<String> wrong = new ArrayList<>();
    for (Future<Object> f : closing) {
      Object outcome = f.get(30, TimeUnit.SECONDS);
      if (outcome != null) {
        wrong.add("close threw " + outcome);
      }
    }
    Object cleanup =
        attempt(
            () -> {
              client.close();
              return null;
            });
    if (cleanup != null) {
      wrong.add("the session's close threw " + cleanup);
    }
    Object got;
    try {
      got = reading.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      accepted.close();
      got = "no end of stream within 30 s";
    }
    if (!(got instanceof byte[] bytes)) {
      wrong.add("the peer's read failed: " + got);
    } else if (!Arrays.equals(payload, bytes)) {
      wrong.add("the peer received " + bytes.length + " of " + payload.length + " bytes");
    }
    eventLines().stream()
        .filter(l -> l.startsWith("UNDELIVERED") || l.startsWith("FAILURE"))
        .forEach(wrong::add);
    return wrong.isEmpty() ? null : String.join("; ", wrong);
  }

  /* ---- what only a layer has ---- */

  @Test
  void aStartupFailingBelowTheLayerRollsItBack() throws Exception {
    ChainRuntime rt = runtime();
    String name = descriptor().name();
    int layer = id(rt, name);
    events.clear();

    ProtochainException e =
        assertThrows(ProtochainException.class, () -> rt.startup(name + "-testkit-failing-base"));

    assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
    assertEquals(
        "provider 'testkit-failing-base' (entry "
            + FAILING_BASE_ID
            + ") failed to load: "
            + "java.io.IOException: "
            + FailingBase.FAILURE,
        e.getMessage());
    assertEquals(
        List.of(
            "LOAD " + name,
            "STARTUP " + name + " 1",
            "FAILURE testkit-failing-base",
            "CLEANUP " + name + " 0",
            "UNLOAD " + name),
        eventLines());
    assertEquals(Map.of(layer, 0), rt.counts());
    assertEquals(ProviderState.UNLOADED, rt.state(layer));
    try (Session again = rt.startup(cases().get(0).subject())) {
      assertEquals(2, rt.loads(layer), "a fresh load after the rollback");
      assertEquals(cases().get(0).subject(), again.entry().name());
    }
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("allCases")
  void misusedSocketsFailExactlyAsTheBaseAloneFails(Chains c) throws Exception {
    ChainRuntime rt = runtime();
    try (Session layered = rt.startup(c.subject());
        Session bare = rt.startup(c.baseId());
        ChainSocket a = layered.open();
        ChainSocket b = bare.open()) {
      List<String> ops =
          c.stream()
              ? new ArrayList<>(List.of("send", "receive", "sendTo", "receiveFrom", "accept"))
              : new ArrayList<>(List.of("listen", "accept", "shutdownInput", "shutdownOutput"));
      if (!listens()) {
        for (String op : List.of("bind", "listen", "accept")) {
          ops.remove(op);
          assertThrows(
              UnsupportedOperationException.class,
              () -> misuse(a, op, c),
              op + " is refused: listens() is false");
        }
      }
      for (String op : ops) {
        assertEquals(
            thrown(() -> misuse(b, op, c)),
            thrown(() -> misuse(a, op, c)),
            op + " as the base says");
      }
    }
  }

  private static void misuse(ChainSocket s, String op, Chains c) throws IOException {
    switch (op) {
      case "send" -> s.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      case "receive" -> s.receive(ByteBuffer.allocate(3));
      case "sendTo" -> s.sendTo(ByteBuffer.wrap(new byte[] {1}), c.bind());
      case "receiveFrom" -> s.receiveFrom(ByteBuffer.allocate(3));
      case "accept" -> s.accept();
      case "bind" -> s.bind(c.bind());
      case "listen" -> s.listen(0);
      case "shutdownInput" -> s.shutdownInput();
      case "shutdownOutput" -> s.shutdownOutput();
      default -> throw new AssertionError(op);
    }
  }
}
