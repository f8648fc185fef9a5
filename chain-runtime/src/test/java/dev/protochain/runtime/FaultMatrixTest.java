package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.VersionRange;
import dev.protochain.runtime.testing.FakeProviderSource;
import dev.protochain.runtime.testing.Phase;
import dev.protochain.runtime.testing.Recorder;
import dev.protochain.runtime.testing.RecordingBase;
import dev.protochain.runtime.testing.RecordingLayer;
import dev.protochain.runtime.testing.TestCatalogs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every depth of a 7-deep chain [p1, ..., p6, p7] times every phase of a provider's life, with the
 * provider at that depth failing in that phase; each cell asserts the documented outcome: what the
 * caller sees (the error names entry, provider and phase), the counts afterwards, the cascade, and
 * that the chain starts and carries bytes again once the fault is gone.
 */
@Timeout(30)
class FaultMatrixTest {

  static final int DEPTH = 7;
  static final String CHAIN =
      "entry 3001 'chain' (chain [2001, 2002, 2003, 2004, 2005, 2006, 1101])";

  enum FailingPhase {
    LOAD,
    NEGOTIATE,
    STARTUP,
    OPEN,
    SEND,
    DRAIN,
    CLEANUP,
    UNLOAD
  }

  static Stream<Arguments> cells() {
    List<Arguments> cells = new ArrayList<>();
    for (int depth = 1; depth <= DEPTH; depth++) {
      for (FailingPhase phase : FailingPhase.values()) {
        cells.add(Arguments.of(depth, phase));
      }
    }
    return cells.stream();
  }

  static String name(int depth) {
    return "p" + depth;
  }

  static int id(int depth) {
    return depth == DEPTH ? 1101 : 2000 + depth;
  }

  static String provider(int depth) {
    return "provider '" + name(depth) + "' (entry " + id(depth) + ")";
  }

  @ParameterizedTest(name = "depth {0}, {1}")
  @MethodSource("cells")
  void aProviderFailingAtAnyDepthInAnyPhaseEndsAsDocumented(int depth, FailingPhase phase)
      throws Exception {
    Recorder recorder = new Recorder();
    FakeProviderSource source = new FakeProviderSource();
    TestCatalogs catalog = new TestCatalogs();
    for (int d = 1; d <= DEPTH; d++) {
      String n = name(d);
      VersionRange versions =
          phase == FailingPhase.NEGOTIATE && d == depth
              ? VersionRange.parse("9.0-9.1")
              : VersionRange.ALL;
      boolean base = d == DEPTH;
      source.register(
          FakeProviderSource.descriptor(n, base ? EntryKind.BASE : EntryKind.LAYER, versions),
          base ? () -> new RecordingBase(n, recorder) : () -> new RecordingLayer(n, recorder));
      if (base) {
        catalog.base(id(d), n, n);
      } else {
        catalog.layer(id(d), n, n);
      }
    }
    catalog.chain(3001, "chain", 2001, 2002, 2003, 2004, 2005, 2006, 1101);
    if (phase != FailingPhase.NEGOTIATE) {
      recorder.failOn(name(depth), Phase.valueOf(phase.name()));
    }
    String injected = "java.io.IOException: " + name(depth) + " fails at " + phase + " (injected)";

    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .catalog(catalog.build())
            .source(source)
            .shutdownHook(false)
            .build()) {
      switch (phase) {
        case LOAD:
          {
            ProtochainException e =
                assertThrows(ProtochainException.class, () -> runtime.startup(3001));
            assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
            assertEquals(provider(depth) + " failed to load: " + injected, e.getMessage());
            assertRolledBack(recorder, depth, false);
            break;
          }
        case NEGOTIATE:
          {
            ProtochainException e =
                assertThrows(ProtochainException.class, () -> runtime.startup(3001));
            assertEquals(ProtochainException.Code.VERSION_NOT_SUPPORTED, e.code());
            assertEquals(
                "startup of "
                    + CHAIN
                    + ": "
                    + provider(depth)
                    + " at depth "
                    + (depth - 1)
                    + " supports versions 9.0-9.1, none in the requested 1.0-2.2",
                e.getMessage());
            assertEquals(0, recorder.loads(name(depth)));
            assertRolledBack(recorder, depth, false);
            break;
          }
        case STARTUP:
          {
            ProtochainException e =
                assertThrows(ProtochainException.class, () -> runtime.startup(3001));
            assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
            assertEquals(
                "startup of "
                    + CHAIN
                    + ": "
                    + provider(depth)
                    + " at depth "
                    + (depth - 1)
                    + " failed to start: "
                    + injected,
                e.getMessage());
            assertRolledBack(recorder, depth, true);
            break;
          }
        case OPEN:
          {
            try (Session s = runtime.startup(3001)) {
              ProtochainException e = assertThrows(ProtochainException.class, s::open);
              assertEquals(
                  "open of a socket on "
                      + CHAIN
                      + ": "
                      + provider(depth)
                      + " at depth "
                      + (depth - 1)
                      + " failed to "
                      + (depth == DEPTH ? "open" : "wrap")
                      + " it: "
                      + injected,
                  e.getMessage());
              assertAllCounts(runtime, 1);
            }
            break;
          }
        case SEND:
          {
            try (Session s = runtime.startup(3001);
                ChainSocket listener = s.open();
                ChainSocket client = s.open()) {
              listener.bind(null);
              listener.listen(1);
              client.connect(listener.localAddress());
              IOException e =
                  assertThrows(IOException.class, () -> client.send(ByteBuffer.allocate(10)));
              assertEquals(name(depth) + " fails at SEND (injected)", e.getMessage());
              assertAllCounts(runtime, 1);
            }
            break;
          }
        case DRAIN:
        case CLEANUP:
        case UNLOAD:
          {
            Session s = runtime.startup(3001);
            ProtochainException e = assertThrows(ProtochainException.class, s::close);
            String what =
                phase == FailingPhase.DRAIN
                    ? "failed to drain"
                    : phase == FailingPhase.CLEANUP ? "failed to clean up" : "failed to unload";
            assertEquals(provider(depth) + " " + what + ": " + injected, e.getMessage());
            List<String> unloads = recorder.events("unload");
            assertEquals(
                List.of(
                    "unload p1",
                    "unload p2",
                    "unload p3",
                    "unload p4",
                    "unload p5",
                    "unload p6",
                    "unload p7"),
                unloads,
                "the cascade runs top-down to the base whatever failed");
            break;
          }
        default:
          throw new AssertionError(phase);
      }
      assertAllCounts(runtime, 0);
      for (int d = 1; d <= DEPTH; d++) {
        assertEquals(
            recorder.loads(name(d)), recorder.unloads(name(d)), name(d) + ": loads vs unloads");
      }

      recorder.heal();
      if (phase != FailingPhase.NEGOTIATE) {
        echo(runtime); // the chain starts afresh and carries bytes once the fault is gone
        assertAllCounts(runtime, 0);
      }
      assertEquals(List.of(), recorder.violations());
    }
  }

  /**
   * Asserts what a failed startup left: the providers above the failure loaded and unloaded again,
   * bottom-up.
   */
  static void assertRolledBack(Recorder recorder, int depth, boolean belowStarted) {
    List<String> unloads = recorder.events("unload");
    List<String> expected = new ArrayList<>();
    if (belowStarted) {
      for (int d = depth + 1; d <= DEPTH; d++) {
        expected.add("unload p" + d); // started below the failure, cleaned up top-down
      }
    }
    if (belowStarted) {
      expected.add("unload p" + depth);
    }
    for (int d = depth - 1; d >= 1; d--) {
      expected.add("unload p" + d); // acquired above the failure, released in reverse
    }
    assertEquals(expected, unloads);
    if (!belowStarted) {
      for (int d = depth + 1; d <= DEPTH; d++) {
        assertEquals(0, recorder.loads("p" + d), "p" + d + " below the failure is never loaded");
      }
    }
  }

  static void assertAllCounts(ChainRuntime runtime, int count) {
    runtime.counts().forEach((entry, c) -> assertEquals(count, c, "count of entry " + entry));
  }

  static void echo(ChainRuntime runtime) throws IOException {
    try (Session s = runtime.startup(3001);
        ChainSocket listener = s.open();
        ChainSocket client = s.open()) {
      listener.bind(null);
      listener.listen(1);
      client.connect(listener.localAddress());
      try (ChainSocket server = listener.accept()) {
        client.sendFully(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        ByteBuffer got = ByteBuffer.allocate(3);
        assertTrue(server.receiveFully(got));
        assertEquals(3, got.get(2));
      }
    }
  }
}
