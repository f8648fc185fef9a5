package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.runtime.testing.FakeProviderSource;
import dev.protochain.runtime.testing.Recorder;
import dev.protochain.runtime.testing.TestCatalogs;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JMX view of a runtime, read through the platform MBean server as a tool outside the process
 * reads it: its counts equal {@link ChainRuntime#counts()} at every step, and it is gone once the
 * runtime is closed.
 */
@Timeout(60)
class RuntimeMXBeanTest {

  static final int A = 2001;
  static final int B = 2002;
  static final int GHOST = 2009;
  static final int BASE = 1101;
  static final int CHAIN = 3001;
  static final int SHORT = 3002;
  static final int HAUNTED = 3009;

  final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

  ChainRuntime runtime(String name) throws Exception {
    Catalog catalog =
        new TestCatalogs()
            .base(BASE, "base", "base")
            .layer(A, "a", "a")
            .layer(B, "b", "b")
            .layer(GHOST, "ghost", "ghost")
            .chain(CHAIN, "a-b-base", A, B, BASE)
            .chain(SHORT, "b-base", B, BASE)
            .chain(HAUNTED, "ghost-base", GHOST, BASE)
            .build();
    Recorder recorder = new Recorder();
    return ChainRuntime.builder()
        .name(name)
        .catalog(catalog)
        .source(
            new FakeProviderSource()
                .layer("a", recorder)
                .layer("b", recorder)
                .base("base", recorder))
        .shutdownHook(false)
        .build();
  }

  /**
   * Returns the object names of the views of runtimes named {@code name} once there are {@code n}
   * (they register on a thread of their own, soon after their build).
   */
  Set<ObjectName> views(String name, int n) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    Set<ObjectName> found = views(name);
    while (found.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
      found = views(name);
    }
    return found;
  }

  /** Returns the object names of the views of runtimes named {@code name}. */
  Set<ObjectName> views(String name) throws Exception {
    return server.queryNames(
        new ObjectName(ChainRuntimeMXBean.TYPE + ",name=" + name + "-*"), null);
  }

  @Test
  void theViewShowsTheRuntimesCountsSessionsSocketsAndFailuresAndIsGoneAfterClose()
      throws Exception {
    String name = "jmx-test-" + System.nanoTime();
    ChainRuntime runtime = runtime(name);
    Set<ObjectName> found = views(name, 1);
    assertEquals(1, found.size(), "views: " + found);
    ObjectName view = found.iterator().next();
    assertEquals(name, server.getAttribute(view, "Name"));
    assertEquals(0L, server.getAttribute(view, "CatalogGeneration"));
    assertEquals("", server.getAttribute(view, "CatalogHome"));
    assertEquals(false, server.getAttribute(view, "FollowingCatalog"));
    // What tools outside the process look for before they start its management agent.
    assertEquals(ChainRuntimeMXBean.TYPE, System.getProperty(ChainRuntimeMXBean.JVM_MARKER));
    assertEquals(runtime.counts(), counts(view));

    Session first = runtime.startup(CHAIN);
    assertEquals(Map.of(A, 1, B, 1, BASE, 1), counts(view));
    Session second = runtime.startup(CHAIN);
    Session shorter = runtime.startup(SHORT);
    ChainSocket socket = first.open();
    assertEquals(runtime.counts(), counts(view));
    assertEquals(Map.of(A, 2, B, 3, BASE, 3), counts(view));
    assertEquals(3, server.getAttribute(view, "OpenSessions"));
    assertEquals(1, server.getAttribute(view, "OpenSockets"));
    assertEquals(
        List.of(
            "a-b-base (entry 3001): 2 sessions, 1 sockets",
            "b-base (entry 3002): 1 sessions, 0 sockets"),
        entries(view));

    // The same through a typed proxy, as a JMX client would use it.
    ChainRuntimeMXBean proxy = JMX.newMXBeanProxy(server, view, ChainRuntimeMXBean.class);
    List<ChainRuntimeMXBean.ProviderInfo> providers = proxy.getProviders();
    assertEquals(
        List.of(BASE, A, B),
        providers.stream()
            .map(ChainRuntimeMXBean.ProviderInfo::getEntry)
            .collect(Collectors.toList()));
    for (ChainRuntimeMXBean.ProviderInfo p : providers) {
      assertEquals(runtime.count(p.getEntry()), p.getCount(), p.toString());
      assertEquals(1, p.getLoads(), p.toString());
      assertEquals("RUNNING", p.getState(), p.toString());
      assertTrue(p.getLastLoadMicros() >= 0, p.toString());
    }

    ProtochainException refused =
        assertThrows(ProtochainException.class, () -> runtime.startup(HAUNTED));
    assertEquals(ProtochainException.Code.INVALID_PROVIDER, refused.code());
    assertEquals(Map.of("INVALID_PROVIDER", 1L), proxy.getFailures());
    assertEquals(0L, proxy.getBytesUndelivered());

    socket.close();
    second.close();
    shorter.close();
    assertEquals(runtime.counts(), counts(view));
    assertEquals(Map.of(A, 1, B, 1, BASE, 1), counts(view));
    first.close();
    assertEquals(Map.of(A, 0, B, 0, BASE, 0), counts(view));
    assertEquals(runtime.counts(), counts(view));
    assertEquals(List.of(), entries(view));
    assertTrue(
        proxy.getProviders().stream().allMatch(p -> p.getState().equals("UNLOADED")),
        proxy.getProviders().toString());

    runtime.close();
    assertEquals(Set.of(), views(name));
    assertTrue(!server.isRegistered(view), view + " still registered");
    runtime.close(); // twice: harmless
  }

  @Test
  void aRuntimeClosedBeforeItsViewRegistersLeavesNoView() throws Exception {
    String name = "jmx-early-" + System.nanoTime();
    for (int i = 0; i < 20; i++) {
      runtime(name).close();
    }
    Thread.sleep(200); // a registration racing the close would have landed by now
    assertEquals(Set.of(), views(name));
  }

  @Test
  void runtimesBuiltAndClosedConcurrentlyRegisterUniqueNames() throws Exception {
    String name = "jmx-race-" + System.nanoTime();
    int threads = 8;
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<ChainRuntime> runtimes;
    try {
      List<Future<List<ChainRuntime>>> built = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        built.add(
            pool.submit(
                () -> {
                  go.await();
                  List<ChainRuntime> mine = new ArrayList<>();
                  for (int i = 0; i < each; i++) {
                    mine.add(runtime(name));
                  }
                  return mine;
                }));
      }
      go.countDown();
      runtimes = new ArrayList<>();
      for (Future<List<ChainRuntime>> f : built) {
        runtimes.addAll(f.get());
      }
      assertEquals(threads * each, views(name, threads * each).size());
      List<Future<?>> closed = new ArrayList<>();
      for (ChainRuntime r : runtimes) {
        closed.add(
            pool.submit(
                () -> {
                  r.close();
                  return null;
                }));
      }
      for (Future<?> f : closed) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(Set.of(), views(name));
  }

  private Map<Integer, Integer> counts(ObjectName view) throws Exception {
    TabularData table = (TabularData) server.getAttribute(view, "Counts");
    Map<Integer, Integer> out = new TreeMap<>();
    for (Object row : table.values()) {
      CompositeData c = (CompositeData) row;
      out.put((Integer) c.get("key"), (Integer) c.get("value"));
    }
    return out;
  }

  private List<String> entries(ObjectName view) throws Exception {
    List<String> out = new ArrayList<>();
    for (CompositeData c : (CompositeData[]) server.getAttribute(view, "Entries")) {
      out.add(
          new ChainRuntimeMXBean.EntryInfo(
                  (Integer) c.get("entry"),
                  (String) c.get("name"),
                  (Integer) c.get("sessions"),
                  (Integer) c.get("sockets"))
              .toString());
    }
    return out;
  }
}
