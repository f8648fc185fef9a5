package dev.protochain.runtime.internal.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.testing.FakeProviderSource;
import dev.protochain.runtime.testing.Recorder;
import dev.protochain.runtime.testing.TestCatalogs;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JFR events of a startup/cleanup cycle, recorded in process, dumped and read back with their
 * fields.
 */
@Timeout(60)
class JfrEventsTest {

  static final int A = 2001;
  static final int B = 2002;
  static final int BASE = 1101;
  static final int CHAIN = 3001;
  static final int GHOST = 2009;
  static final int HAUNTED = 3009;

  @TempDir Path dir;

  @Test
  void aStartupCleanupCycleIsRecordedWithEntryProviderDepthCountsAndDuration() throws Exception {
    Catalog catalog =
        new TestCatalogs()
            .base(BASE, "base", "base")
            .layer(A, "a", "a")
            .layer(B, "b", "b")
            .layer(GHOST, "ghost", "ghost")
            .chain(CHAIN, "a-b-base", A, B, BASE)
            .chain(HAUNTED, "ghost-base", GHOST, BASE)
            .build();
    Recorder recorder = new Recorder();
    FakeProviderSource source =
        new FakeProviderSource().layer("a", recorder).layer("b", recorder).base("base", recorder);
    String name = "jfr-test-" + System.nanoTime();
    List<RecordedEvent> events;
    try (Recording recording = new Recording();
        ChainRuntime runtime =
            ChainRuntime.builder()
                .name(name)
                .catalog(catalog)
                .source(source)
                .shutdownHook(false)
                .build()) {
      for (String event :
          List.of("Startup", "Cleanup", "Load", "Unload", "Drain", "PluginRefused")) {
        recording.enable("protochain." + event).withoutThreshold();
      }
      recording.start();
      Session first = runtime.startup(CHAIN);
      Session second = runtime.startup(CHAIN);
      second.close();
      first.close();
      ProtochainException refused =
          assertThrows(ProtochainException.class, () -> runtime.startup(HAUNTED));
      assertEquals(ProtochainException.Code.INVALID_PROVIDER, refused.code());
      recording.stop();
      Path file = dir.resolve("cycle.jfr");
      recording.dump(file);
      events =
          RecordingFile.readAllEvents(file).stream()
              .filter(e -> name.equals(e.getString("runtime")))
              .collect(Collectors.toList());
    }

    List<RecordedEvent> startups = named(events, "protochain.Startup");
    assertEquals(2, startups.size(), "startups: " + startups);
    for (int i = 0; i < 2; i++) {
      RecordedEvent s = startups.get(i);
      assertEquals(CHAIN, s.getInt("entry"));
      assertEquals("a-b-base", s.getString("entryName"));
      assertEquals("a", s.getString("provider"));
      assertEquals(3, s.getInt("depth"));
      assertEquals(i + 1, s.getInt("count"));
      assertEquals("a=" + (i + 1) + ", b=" + (i + 1) + ", base=" + (i + 1), s.getString("counts"));
      assertTrue(s.getDuration().toNanos() > 0, "duration of " + s);
    }
    List<RecordedEvent> cleanups = named(events, "protochain.Cleanup");
    assertEquals(2, cleanups.size(), "cleanups: " + cleanups);
    assertEquals("a=1, b=1, base=1", cleanups.get(0).getString("counts"));
    assertEquals("a=0, b=0, base=0", cleanups.get(1).getString("counts"));
    for (RecordedEvent c : cleanups) {
      assertEquals(CHAIN, c.getInt("entry"));
      assertEquals(3, c.getInt("depth"));
      assertEquals(0, c.getInt("failures"));
      assertTrue(c.getDuration().toNanos() > 0, "duration of " + c);
    }
    // The last cleanup took longer than its chain's three unloads, which it contains.
    List<RecordedEvent> loads = named(events, "protochain.Load");
    List<RecordedEvent> unloads = named(events, "protochain.Unload");
    List<RecordedEvent> drains = named(events, "protochain.Drain");
    for (List<RecordedEvent> perProvider : List.of(loads, unloads, drains)) {
      assertEquals(
          List.of("a@0", "b@1", "base@2"),
          perProvider.stream()
              .map(e -> e.getString("provider") + "@" + e.getInt("depth"))
              .sorted()
              .collect(Collectors.toList()),
          "per-provider events: " + perProvider);
      for (RecordedEvent e : perProvider) {
        assertEquals(CHAIN, e.getInt("entry"));
        assertTrue(e.getDuration().toNanos() > 0, "duration of " + e);
      }
    }
    assertEquals(
        List.of(BASE, A, B),
        loads.stream().map(e -> e.getInt("providerEntry")).sorted().collect(Collectors.toList()));
    loads.forEach(e -> assertEquals(1, e.getInt("loads")));
    unloads.forEach(e -> assertEquals(1, e.getInt("unloads")));
    drains.forEach(e -> assertEquals(0L, e.getLong("undelivered")));
    // A layer is loaded (counted) before it starts the provider below; unloads run top first.
    assertEquals("a", loads.get(0).getString("provider"));
    assertEquals("a", unloads.get(0).getString("provider"));
    long lastCleanup = cleanups.get(1).getDuration().toNanos();
    long unloading = unloads.stream().mapToLong(e -> e.getDuration().toNanos()).sum();
    assertTrue(lastCleanup >= unloading, lastCleanup + " ns < the unloads' " + unloading + " ns");

    List<RecordedEvent> refusals = named(events, "protochain.PluginRefused");
    assertTrue(!refusals.isEmpty(), "no refusal in " + events);
    RecordedEvent r = refusals.get(0);
    assertEquals("ghost", r.getString("provider"));
    assertEquals(GHOST, r.getInt("providerEntry"));
    assertEquals("INVALID_PROVIDER", r.getString("code"));
    assertTrue(r.getString("reason").contains("ghost"), r.getString("reason"));
  }

  @Test
  void aRecordingThatAsksForNothingStillRecordsTheEventsOfALoadingStartup() throws Exception {
    Catalog catalog =
        new TestCatalogs()
            .base(BASE, "base", "base")
            .layer(A, "a", "a")
            .chain(CHAIN, "a-base", A, BASE)
            .build();
    Recorder recorder = new Recorder();
    String name = "jfr-default-" + System.nanoTime();
    List<RecordedEvent> events;
    try (Recording recording = new Recording();
        ChainRuntime runtime =
            ChainRuntime.builder()
                .name(name)
                .catalog(catalog)
                .source(new FakeProviderSource().layer("a", recorder).base("base", recorder))
                .shutdownHook(false)
                .build()) {
      recording.start(); // no event enabled by name: the annotations' defaults apply
      runtime.startup(CHAIN).close();
      recording.stop();
      Path file = dir.resolve("default.jfr");
      recording.dump(file);
      events =
          RecordingFile.readAllEvents(file).stream()
              .filter(e -> name.equals(e.getString("runtime")))
              .collect(Collectors.toList());
    }
    assertEquals(2, named(events, "protochain.Load").size(), "events: " + events);
    assertEquals(2, named(events, "protochain.Unload").size(), "events: " + events);
    // A startup that loads takes a Guice injector per provider: far above the 100 us threshold.
    assertEquals(1, named(events, "protochain.Startup").size(), "events: " + events);
  }

  private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
    return events.stream()
        .filter(e -> e.getEventType().getName().equals(name))
        .sorted((x, y) -> x.getStartTime().compareTo(y.getStartTime()))
        .collect(Collectors.toList());
  }
}
