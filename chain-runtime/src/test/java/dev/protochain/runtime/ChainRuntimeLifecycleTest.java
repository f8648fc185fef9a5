package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.EntryKind;
import dev.protochain.api.NotInitialisedException;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.Version;
import dev.protochain.api.VersionRange;
import dev.protochain.api.spi.RuntimeServices;
import dev.protochain.runtime.testing.FakeProviderSource;
import dev.protochain.runtime.testing.Phase;
import dev.protochain.runtime.testing.Recorder;
import dev.protochain.runtime.testing.RecordingBase;
import dev.protochain.runtime.testing.RecordingLayer;
import dev.protochain.runtime.testing.TestCatalogs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clauses 1 to 9 of the lifecycle contract (DESIGN.md), each over the chain {@code [a, b, base]}
 * (entry 3001) of recording providers, with {@code [a, base2]} (3002) sharing the layer {@code a}.
 */
@Timeout(30)
class ChainRuntimeLifecycleTest {

  static final int A = 2001;
  static final int B = 2002;
  static final int BASE = 1101;
  static final int BASE2 = 1102;
  static final int CHAIN = 3001;
  static final int SHARED = 3002;

  final Recorder recorder = new Recorder();
  final List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());
  FakeProviderSource source;
  ChainRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    source =
        new FakeProviderSource()
            .layer("a", recorder)
            .layer("b", recorder)
            .base("base", recorder)
            .base("base2", recorder);
    runtime = runtime(source);
  }

  ChainRuntime runtime(FakeProviderSource source) throws Exception {
    Catalog catalog =
        new TestCatalogs()
            .base(BASE, "base", "base")
            .base(BASE2, "base2", "base2")
            .layer(A, "a", "a")
            .layer(B, "b", "b")
            .chain(CHAIN, "a-b-base", A, B, BASE)
            .chain(SHARED, "a-base2", A, BASE2)
            .build();
    return ChainRuntime.builder()
        .name("lifecycle-test")
        .catalog(catalog)
        .source(source)
        .shutdownHook(false)
        .listener(events::add)
        .build();
  }

  @AfterEach
  void stop() throws IOException {
    runtime.close();
    assertEquals(List.of(), recorder.violations());
  }

  /* ---- clause 1 and 2: startup counts, loads once, propagates one startup down per startup ---- */

  @Test
  void countsAtEveryDepthOfAThreeDeepChainStartedTwice() throws Exception {
    Session first = runtime.startup(CHAIN);
    Session second = runtime.startup(CHAIN);

    assertEquals(Map.of(A, 2, B, 2, BASE, 2), runtime.counts());
    assertEquals(1, recorder.loads("a"));
    assertEquals(1, recorder.loads("b"));
    assertEquals(1, recorder.loads("base"));

    first.close();
    assertEquals(Map.of(A, 1, B, 1, BASE, 1), runtime.counts());
    second.close();
    assertEquals(Map.of(A, 0, B, 0, BASE, 0), runtime.counts());
  }

  @Test
  void aLayerSharedByTwoChainsOverDifferentBasesCountsBoth() throws Exception {
    try (Session s1 = runtime.startup(CHAIN);
        Session s2 = runtime.startup(SHARED)) {
      assertEquals(Map.of(A, 2, B, 1, BASE, 1, BASE2, 1), runtime.counts());
      assertEquals(1, recorder.loads("a"));
    }
    assertEquals(Map.of(A, 0, B, 0, BASE, 0, BASE2, 0), runtime.counts());
  }

  @Test
  void startupLoadsTopDownAndStartsBottomUp() throws Exception {
    try (Session s = runtime.startup(CHAIN)) {
      assertEquals(
          List.of(
              "construct a",
              "load a",
              "construct b",
              "load b",
              "construct base",
              "load base",
              "startup base",
              "startup b",
              "startup a"),
          recorder.events());
      assertEquals(ProviderState.RUNNING, runtime.state(A));
    }
  }

  @Test
  void layerReceivesTheChainEntryAndTheBaseItsOwnEntryWithTheSameServices() throws Exception {
    List<Object[]> seen = Collections.synchronizedList(new ArrayList<>());
    Recorder r = new Recorder();
    FakeProviderSource capturing =
        new FakeProviderSource()
            .register(
                FakeProviderSource.descriptor("a", EntryKind.LAYER, VersionRange.ALL),
                () -> new CapturingLayer("a", r, seen))
            .register(
                FakeProviderSource.descriptor("b", EntryKind.LAYER, VersionRange.ALL),
                () -> new CapturingLayer("b", r, seen))
            .register(
                FakeProviderSource.descriptor("base", EntryKind.BASE, VersionRange.ALL),
                () -> new CapturingBase("base", r, seen))
            .base("base2", r);
    try (ChainRuntime rt = runtime(capturing);
        Session s = rt.startup(CHAIN)) {
      assertEquals(3, seen.size());
      // Bottom-up: base first. Each row: provider, entry id it was started for, depth, services.
      assertEquals(List.of("base", BASE, 2), List.of(seen.get(0)).subList(0, 3));
      assertEquals(List.of("b", CHAIN, 1), List.of(seen.get(1)).subList(0, 3));
      assertEquals(List.of("a", CHAIN, 0), List.of(seen.get(2)).subList(0, 3));
      RuntimeServices services = (RuntimeServices) seen.get(0)[3];
      assertSame(services, seen.get(1)[3]);
      assertSame(services, seen.get(2)[3]);
      assertEquals("lifecycle-test", services.runtimeName());
    }
  }

  /* ---- clause 3: cleanup ---- */

  @Test
  void cleanupAtZeroFailsWithNotInitialisedAndChangesNothing() throws Exception {
    runtime.startup(CHAIN).close();
    List<String> before = recorder.events();
    Map<Integer, Integer> counts = runtime.counts();

    NotInitialisedException e =
        assertThrows(NotInitialisedException.class, () -> runtime.cleanup(CHAIN));

    assertEquals("provider 'a' (entry 3001): count 0, cleanup 1", e.getMessage());
    assertEquals(counts, runtime.counts());
    assertEquals(before, recorder.events());
  }

  @Test
  void countLevelCleanupClosesTheMostRecentSession() throws Exception {
    Session first = runtime.startup(CHAIN);
    Session second = runtime.startup(CHAIN);
    runtime.cleanup(CHAIN);
    assertFalse(second.isOpen());
    assertTrue(first.isOpen());
    runtime.cleanup(CHAIN);
    assertFalse(first.isOpen());
    assertEquals(0, runtime.count(A));
  }

  @Test
  void cleanupCascadesTopDownUnloadingEachProviderAtZero() throws Exception {
    Session s = runtime.startup(CHAIN);
    recorder.clearEvents();
    events.clear();

    s.close();

    assertEquals(
        List.of(
            "cleanup a",
            "drain a",
            "unload a",
            "cleanup b",
            "drain b",
            "unload b",
            "cleanup base",
            "drain base",
            "unload base"),
        recorder.events());
    assertEquals(
        List.of(
            "CLEANUP a (entry 2001) count 0", "UNLOAD a (entry 2001) count 0",
            "CLEANUP b (entry 2002) count 0", "UNLOAD b (entry 2002) count 0",
            "CLEANUP base (entry 1101) count 0", "UNLOAD base (entry 1101) count 0"),
        events.stream()
            .map(
                ev ->
                    ev.type()
                        + " "
                        + ev.provider().name()
                        + " (entry "
                        + ev.provider().id()
                        + ") count "
                        + ev.count())
            .toList());
    assertEquals(ProviderState.UNLOADED, runtime.state(BASE));
  }

  @Test
  void aSharedLayerStaysLoadedWhileTheProvidersOfTheOtherChainUnload() throws Exception {
    Session chain = runtime.startup(CHAIN);
    Session shared = runtime.startup(SHARED);
    recorder.clearEvents();

    chain.close();

    assertEquals(
        List.of(
            "cleanup a",
            "cleanup b",
            "drain b",
            "unload b",
            "cleanup base",
            "drain base",
            "unload base"),
        recorder.events());
    assertEquals(Map.of(A, 1, B, 0, BASE, 0, BASE2, 1), runtime.counts());
    shared.close();
  }

  @Test
  void closingASessionTwiceIsHarmless() throws Exception {
    Session s = runtime.startup(CHAIN);
    s.close();
    List<String> after = recorder.events();
    s.close();
    assertEquals(after, recorder.events());
    assertFalse(s.isOpen());
    NotInitialisedException e = assertThrows(NotInitialisedException.class, s::open);
    assertEquals(
        "session of entry 3001 'a-b-base' (chain [2001, 2002, 1101]) was cleaned up: count 0, open 1",
        e.getMessage());
  }

  /* ---- clause 4: failed startup rolls back (more in StartupRollbackTest) ---- */

  @Test
  void aLoadFailureBelowRollsBackAndNamesEntryProviderAndPhase() throws Exception {
    recorder.failOn("b", Phase.LOAD);

    ProtochainException e = assertThrows(ProtochainException.class, () -> runtime.startup(CHAIN));

    assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
    assertEquals(
        "provider 'b' (entry 2002) failed to load: java.io.IOException: b fails at LOAD (injected)",
        e.getMessage());
    assertEquals(Map.of(A, 0), runtime.counts()); // b never finished loading
    assertEquals(0, runtime.count(B));
    assertEquals(
        List.of("construct a", "load a", "construct b", "load b", "drain a", "unload a"),
        recorder.events());
    assertEquals(ProviderState.UNLOADED, runtime.state(B));
  }

  @Test
  void aFailingConstructorIsALoadFailure() throws Exception {
    recorder.failOn("base", Phase.CONSTRUCT);

    ProtochainException e = assertThrows(ProtochainException.class, () -> runtime.startup(CHAIN));

    assertEquals(
        "provider 'base' (entry 1101) failed to load: java.lang.IllegalStateException: "
            + "base fails at CONSTRUCT (injected)",
        e.getMessage());
    assertEquals(Map.of(A, 0, B, 0), runtime.counts());
    assertEquals(0, runtime.count(BASE));
  }

  /* ---- clause 5: failed cleanup still cascades ---- */

  @Test
  void aFailingCleanupStillCascadesAndReportsTheRestSuppressed() throws Exception {
    Session s = runtime.startup(CHAIN);
    recorder.failOn("a", Phase.UNLOAD);
    recorder.failOn("b", Phase.CLEANUP);
    recorder.clearEvents();

    ProtochainException e = assertThrows(ProtochainException.class, s::close);

    assertEquals(
        "provider 'a' (entry 2001) failed to unload: java.io.IOException: a fails at UNLOAD (injected)",
        e.getMessage());
    assertEquals(1, e.getSuppressed().length);
    assertEquals(
        "provider 'b' (entry 2002) failed to clean up: java.io.IOException: b fails at CLEANUP (injected)",
        e.getSuppressed()[0].getMessage());
    assertEquals(
        List.of(
            "cleanup a",
            "drain a",
            "unload a",
            "cleanup b",
            "drain b",
            "unload b",
            "cleanup base",
            "drain base",
            "unload base"),
        recorder.events());
    assertEquals(Map.of(A, 0, B, 0, BASE, 0), runtime.counts());
    assertEquals(ProviderState.UNLOADED, runtime.state(A));
  }

  /* ---- clause 6: re-initialisation ---- */

  @Test
  void afterZeroTheNextStartupLoadsAFreshInstance() throws Exception {
    List<Object> instances = Collections.synchronizedList(new ArrayList<>());
    Recorder r = new Recorder();
    FakeProviderSource tracking =
        new FakeProviderSource()
            .register(
                FakeProviderSource.descriptor("a", EntryKind.LAYER, VersionRange.ALL),
                () -> {
                  RecordingLayer l = new RecordingLayer("a", r);
                  instances.add(l);
                  return l;
                })
            .layer("b", r)
            .base("base", r)
            .base("base2", r);
    try (ChainRuntime rt = runtime(tracking)) {
      rt.startup(CHAIN).close();
      Object firstInstance = instances.get(0);
      try (Session again = rt.startup(CHAIN)) {
        assertEquals(2, instances.size());
        assertNotSame(firstInstance, instances.get(1));
        assertEquals(2, rt.loads(A));
        assertEquals(2, r.loads("base"));
        assertEquals(1, rt.count(A));
      }
      assertEquals(List.of(), r.violations());
    }
  }

  /* ---- clause 8: version negotiation ---- */

  @Test
  void negotiationAnswersTheHighestCommonVersion() throws Exception {
    Recorder r = new Recorder();
    FakeProviderSource versions =
        new FakeProviderSource()
            .register(
                FakeProviderSource.descriptor("a", EntryKind.LAYER, VersionRange.parse("1.0-2.1")),
                () -> new RecordingLayer("a", r))
            .layer("b", r)
            .base("base", r)
            .base("base2", r);
    try (ChainRuntime rt = runtime(versions);
        Session s = rt.startup(CHAIN, VersionRange.parse("2.0-2.2"))) {
      assertEquals(Version.of(2, 1), s.version());
    }
  }

  @Test
  void aVersionNobodySpeaksIsRefusedWithoutChangingAnyCount() throws Exception {
    ProtochainException e =
        assertThrows(
            ProtochainException.class, () -> runtime.startup(CHAIN, VersionRange.parse("3.0-3.1")));

    assertEquals(ProtochainException.Code.VERSION_NOT_SUPPORTED, e.code());
    assertEquals(
        "startup of entry 3001 'a-b-base' (chain [2001, 2002, 1101]): provider 'a' (entry 2001) "
            + "at depth 0 supports versions 1.0-2.2, none in the requested 3.0-3.1",
        e.getMessage());
    assertEquals(Map.of(), runtime.counts());
    assertEquals(List.of(), recorder.events());
  }

  @Test
  void aLayerWhoseLowerProviderRefusesTheVersionRollsBack() throws Exception {
    Recorder r = new Recorder();
    FakeProviderSource versions =
        new FakeProviderSource()
            .register(
                FakeProviderSource.descriptor("a", EntryKind.LAYER, VersionRange.parse("2.0-2.2")),
                () -> new RecordingLayer("a", r))
            .register(
                FakeProviderSource.descriptor("b", EntryKind.LAYER, VersionRange.parse("2.0-2.2")),
                () -> new RecordingLayer("b", r))
            .register(
                FakeProviderSource.descriptor(
                    "base", EntryKind.BASE, VersionRange.parse("1.0-1.5")),
                () -> new RecordingBase("base", r))
            .base("base2", r);
    try (ChainRuntime rt = runtime(versions)) {
      ProtochainException e = assertThrows(ProtochainException.class, () -> rt.startup(CHAIN));

      assertEquals(ProtochainException.Code.VERSION_NOT_SUPPORTED, e.code());
      assertEquals(
          "startup of entry 3001 'a-b-base' (chain [2001, 2002, 1101]): provider 'base' (entry 1101) "
              + "at depth 2 supports versions 1.0-1.5, none in the requested 2.0-2.2",
          e.getMessage());
      assertEquals(Map.of(A, 0, B, 0), rt.counts());
      assertEquals(
          List.of(
              "construct a",
              "load a",
              "construct b",
              "load b",
              "drain b",
              "unload b",
              "drain a",
              "unload a"),
          r.events());
    }
  }

  /* ---- clause 9: handles ---- */

  @Test
  void closingTheRuntimeCleansUpEverySessionAndRefusesNewOnes() throws Exception {
    Session s1 = runtime.startup(CHAIN);
    Session s2 = runtime.startup(SHARED);
    runtime.close();
    assertFalse(s1.isOpen());
    assertFalse(s2.isOpen());
    assertEquals(Map.of(A, 0, B, 0, BASE, 0, BASE2, 0), runtime.counts());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> runtime.startup(CHAIN));
    assertEquals("runtime 'lifecycle-test' is closed", e.getMessage());
    runtime.close(); // twice is harmless
  }

  /** A layer recording (name, entry id, depth, services) at each startup. */
  static final class CapturingLayer implements dev.protochain.api.spi.LayeredProvider {
    private final String name;
    private final List<Object[]> seen;

    CapturingLayer(String name, Recorder r, List<Object[]> seen) {
      this.name = name;
      this.seen = seen;
    }

    @Override
    public void load(dev.protochain.api.spi.ProviderContext context) {}

    @Override
    public void startup(dev.protochain.api.spi.StartupContext c) {
      seen.add(new Object[] {name, c.entry().id(), c.depth(), c.services()});
    }

    @Override
    public dev.protochain.api.ChainSocket wrap(
        dev.protochain.api.ChainSocket below, dev.protochain.api.spi.StartupContext context) {
      return below;
    }

    @Override
    public void unload() {}
  }

  /** A base recording (name, entry id, depth, services) at each startup. */
  static final class CapturingBase implements dev.protochain.api.spi.BaseProvider {
    private final String name;
    private final List<Object[]> seen;

    CapturingBase(String name, Recorder r, List<Object[]> seen) {
      this.name = name;
      this.seen = seen;
    }

    @Override
    public void load(dev.protochain.api.spi.ProviderContext context) {}

    @Override
    public void startup(dev.protochain.api.spi.StartupContext c) {
      seen.add(new Object[] {name, c.entry().id(), c.depth(), c.services()});
    }

    @Override
    public dev.protochain.api.ChainSocket open(dev.protochain.api.spi.StartupContext context)
        throws IOException {
      throw new IOException("CapturingBase opens no sockets");
    }

    @Override
    public void unload() {}
  }
}
