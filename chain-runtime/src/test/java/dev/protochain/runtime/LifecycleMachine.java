package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.Session;
import dev.protochain.api.SocketType;
import dev.protochain.api.VersionRange;
import dev.protochain.runtime.LifecycleModel.Entry;
import dev.protochain.runtime.LifecycleModel.PairState;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import dev.protochain.runtime.store.StoredCatalog;
import dev.protochain.runtime.testing.FakeProviderSource;
import dev.protochain.runtime.testing.Recorder;
import dev.protochain.runtime.testing.RecordingBase;
import dev.protochain.runtime.testing.RecordingLayer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Applies {@link LifecycleOp}s to a real {@link ChainRuntime} over recording providers and to a
 * {@link LifecycleModel}, and after every step checks that the real call answered what the model
 * says, and that counts, loads, unloads, provider states, session and socket states, the recording
 * providers' view (no hook on an unloaded instance, as many unloads as loads) and the edited
 * catalog all agree with the model. Not thread-safe.
 */
final class LifecycleMachine implements AutoCloseable {

  /**
   * A plugin record the edited catalog carries; entry edits keep it while an entry names its
   * provider.
   */
  static final PluginRecord PLUGIN =
      new PluginRecord(
          FakeProviderSource.idOf("c"), "c", "1.0.0", "0".repeat(64) + ".jar", "0".repeat(64));

  private static final Map<UUID, String> NAMES = new HashMap<>();

  /**
   * How often each kind of step gave each kind of answer, over every machine: shows what the runs
   * reached.
   */
  private static final Map<String, LongAdder> ANSWERS = new ConcurrentHashMap<>();

  static {
    LifecycleModel.PROVIDERS.forEach(p -> NAMES.put(FakeProviderSource.idOf(p), p));
  }

  private final LifecycleModel model = new LifecycleModel();
  private boolean pluginKept = true;
  private final List<String> log = new ArrayList<>();

  /** The edited catalog: a value, or what the store holds when the machine edits through one. */
  private Catalog current;

  private final CatalogStore store;
  private long generation;
  private List<Entry> backup;
  private ChainRuntime runtime;
  private Recorder recorder;
  private final List<Session> sessions = new ArrayList<>();
  private final List<ChainSocket[]> pairs = new ArrayList<>();
  private int steps;

  /**
   * Creates a machine editing the catalog as a value ({@code home} null), or through a {@link
   * CatalogStore} in {@code home}, where every edit that changes the catalog writes the next
   * generation and keeps the one before as the backup, and every runtime is built from the file.
   */
  LifecycleMachine(Path home) throws Exception {
    List<CatalogEntry> entries = new ArrayList<>();
    for (Entry e : model.current) {
      entries.add(toReal(e));
    }
    Catalog initial = Catalog.of(entries).withPlugin(PLUGIN).checkValid("model catalog");
    if (home == null) {
      store = null;
      current = initial;
    } else {
      store = CatalogStore.open(ProtochainHome.of(home));
      store.update(
          "set up the model's catalog", c -> initial); // over generation 1, the built-in bases
      generation = 2;
      current = store.read().catalog();
    }
    build();
    check();
  }

  /** Returns how often each kind of step gave each kind of answer so far, sorted. */
  static Map<String, Long> answers() {
    Map<String, Long> out = new TreeMap<>();
    ANSWERS.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Returns how many steps ran. */
  int steps() {
    return steps;
  }

  /**
   * Runs the whole sequence, checking after every step, then closes the runtime and checks the end
   * state.
   */
  static int run(List<LifecycleOp> ops) throws Exception {
    return run(ops, null);
  }

  /**
   * Runs the sequence editing the catalog through a store in {@code home}; see {@link #run(List)}.
   */
  static int run(List<LifecycleOp> ops, Path home) throws Exception {
    try (LifecycleMachine machine = new LifecycleMachine(home)) {
      for (LifecycleOp op : ops) {
        machine.apply(op);
      }
      return machine.steps();
    }
  }

  /** Applies one step to both sides and checks them. */
  void apply(LifecycleOp op) throws Exception {
    steps++;
    String expected;
    String actual;
    if (op instanceof LifecycleOp.Startup s) {
      Optional<Entry> target =
          s.how() == 2
              ? model.snapshot.stream().filter(e -> !e.isLayer()).findFirst()
              : model.snapshotEntry(s.entry());
      // Only the startup by id takes a version range; by name and by selection ask for any version.
      String range =
          s.how() == 0
              ? LifecycleOp.RANGES.get(Math.floorMod(s.version(), LifecycleOp.RANGES.size()))
              : VersionRange.ALL.toString();
      expected = target.isEmpty() ? missing(s.how()) : model.startup(target.get(), range);
      actual =
          describe(
              () -> {
                VersionRange versions = VersionRange.parse(range);
                Session session;
                if (s.how() == 2) {
                  session =
                      runtime.startup(AddressFamily.MEMORY, SocketType.STREAM, Protocol.MEMORY);
                } else if (s.how() == 1) {
                  session =
                      runtime.startup(target.map(Entry::name).orElse(LifecycleModel.MISSING_NAME));
                } else {
                  session =
                      runtime.startup(
                          target.map(Entry::id).orElse(LifecycleModel.MISSING_ID), versions);
                }
                sessions.add(session);
                return "ok v" + session.version();
              });
    } else if (op instanceof LifecycleOp.CloseSession c) {
      if (sessions.isEmpty()) {
        return;
      }
      int i = Math.floorMod(c.session(), sessions.size());
      expected = model.close(model.sessions.get(i));
      actual =
          describe(
              () -> {
                sessions.get(i).close();
                return "ok";
              });
    } else if (op instanceof LifecycleOp.Cleanup c) {
      Optional<Entry> target = model.snapshotEntry(c.entry());
      expected = model.cleanup(target);
      actual =
          describe(
              () -> {
                runtime.cleanup(target.map(Entry::id).orElse(LifecycleModel.MISSING_ID));
                return "ok";
              });
    } else if (op instanceof LifecycleOp.OpenPair o) {
      if (sessions.isEmpty()) {
        return;
      }
      int i = Math.floorMod(o.session(), sessions.size());
      expected = model.openPair(model.sessions.get(i));
      actual =
          describe(
              () -> {
                pairs.add(openPair(sessions.get(i)));
                return "ok";
              });
    } else if (op instanceof LifecycleOp.Send s) {
      if (pairs.isEmpty()) {
        return;
      }
      int i = Math.floorMod(s.pair(), pairs.size());
      expected = model.send(model.pairs.get(i));
      actual =
          describe(
              () -> {
                echo(pairs.get(i), 1 + Math.floorMod(s.size(), 2048));
                return "ok";
              });
    } else if (op instanceof LifecycleOp.ClosePair c) {
      if (pairs.isEmpty()) {
        return;
      }
      int i = Math.floorMod(c.pair(), pairs.size());
      expected = model.closePair(model.pairs.get(i));
      actual =
          describe(
              () -> {
                pairs.get(i)[0].close();
                pairs.get(i)[1].close();
                return "ok";
              });
    } else if (op instanceof LifecycleOp.Install in) {
      String provider =
          LifecycleModel.LAYERS.get(Math.floorMod(in.provider(), LifecycleModel.LAYERS.size()));
      String name =
          switch (Math.floorMod(in.name(), 4)) {
            case 0 -> provider;
            case 1 -> provider + "1";
            case 2 -> provider + "2";
            default -> "Bad_" + provider; // a malformed name: the edit is invalid, and refused
          };
      if (in.targets().isEmpty() || model.current.isEmpty()) {
        return;
      }
      List<Integer> targets =
          in.targets().stream()
              .map(t -> model.current.get(Math.floorMod(t, model.current.size())).id())
              .toList();
      List<Entry> before = model.current;
      expected = model.install(provider, name, targets);
      actual =
          edit(
              "install layer '" + name + "'",
              c -> c.installLayer(name, FakeProviderSource.idOf(provider), Map.of(), targets),
              before);
    } else if (op instanceof LifecycleOp.Remove r) {
      int i = Math.floorMod(r.entry(), model.current.size() + 1);
      Optional<Entry> target =
          i == model.current.size() ? Optional.empty() : Optional.of(model.current.get(i));
      List<Entry> before = model.current;
      expected = model.remove(target, r.cascade());
      actual =
          edit(
              "remove an entry",
              c -> c.remove(target.map(Entry::id).orElse(LifecycleModel.MISSING_ID), r.cascade()),
              before);
    } else if (op instanceof LifecycleOp.Order o) {
      List<Integer> ids = model.orderIds(o.keys(), Math.floorMod(o.mutation(), 5));
      List<Entry> before = model.current;
      expected = model.order(ids);
      actual = edit("order the catalog", c -> c.order(ids), before);
    } else if (op instanceof LifecycleOp.Reinit) {
      expected = model.closeRuntime();
      actual =
          describe(
              () -> {
                runtime.close();
                return "ok";
              });
      checkClosedRuntime();
      model.reinit();
      build();
    } else if (op instanceof LifecycleOp.Fail f) {
      String provider =
          LifecycleModel.PROVIDERS.get(
              Math.floorMod(f.provider(), LifecycleModel.PROVIDERS.size()));
      model.faults.add(provider + " " + f.phase());
      recorder.failOn(provider, f.phase());
      expected = "ok";
      actual = "ok";
    } else if (op instanceof LifecycleOp.Heal) {
      model.faults.clear();
      recorder.heal();
      expected = "ok";
      actual = "ok";
    } else {
      throw new AssertionError(op);
    }
    log.add(op + " -> " + actual);
    String kind = actual.startsWith("ok") ? "ok" : actual.substring(0, actual.indexOf(':'));
    ANSWERS
        .computeIfAbsent(op.getClass().getSimpleName() + " " + kind, k -> new LongAdder())
        .increment();
    assertEquals(
        expected,
        actual,
        () -> "step " + steps + " " + op + " answered differently; so far:\n" + history());
    check();
  }

  /* ---- the real side ---- */

  private void build() throws Exception {
    if (store != null) {
      current = store.read().catalog(); // a runtime takes the catalog the file holds now
    }
    recorder = new Recorder().quiet();
    FakeProviderSource source = new FakeProviderSource();
    for (String p : LifecycleModel.PROVIDERS) {
      boolean layer = LifecycleModel.LAYERS.contains(p);
      VersionRange versions =
          VersionRange.parse(LifecycleModel.format(LifecycleModel.VERSIONS.get(p)));
      source.register(
          FakeProviderSource.descriptor(p, layer ? EntryKind.LAYER : EntryKind.BASE, versions),
          layer ? () -> new RecordingLayer(p, recorder) : () -> new RecordingBase(p, recorder));
    }
    model.faults.forEach(
        f -> {
          String[] parts = f.split(" ", -1);
          recorder.failOn(parts[0], dev.protochain.runtime.testing.Phase.valueOf(parts[1]));
        });
    runtime =
        ChainRuntime.builder()
            .name("model")
            .catalog(current)
            .source(source)
            .shutdownHook(false)
            .drainTimeout(Duration.ofSeconds(5))
            .build();
    sessions.clear();
    pairs.clear();
  }

  private static ChainSocket[] openPair(Session session) throws Exception {
    ChainSocket listener = session.open();
    try {
      listener.bind(null);
      listener.listen(1);
      ChainSocket client = session.open();
      client.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));
      client.connect(listener.localAddress());
      ChainSocket server = listener.accept();
      server.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));
      return new ChainSocket[] {client, server};
    } finally {
      listener.close();
    }
  }

  private static void echo(ChainSocket[] pair, int size) throws Exception {
    byte[] out = new byte[size];
    for (int i = 0; i < size; i++) {
      out[i] = (byte) (i * 31 + size);
    }
    for (int direction = 0; direction < 2; direction++) {
      pair[direction].sendFully(ByteBuffer.wrap(out));
      ByteBuffer in = ByteBuffer.allocate(size);
      assertTrue(pair[1 - direction].receiveFully(in), "the stream ended early");
      assertArrayEquals(out, in.array(), "bytes changed on the way");
    }
  }

  /** Applies an edit as a tool does: refused if it throws or leaves the catalog invalid. */
  private String edit(String purpose, CatalogEdit edit, List<Entry> before) throws IOException {
    if (store == null) {
      return describe(
          () -> {
            Catalog edited = edit.apply(current);
            edited.checkValid("catalog");
            current = edited;
            return "ok";
          });
    }
    String answer =
        describe(
            () -> {
              store.update(
                  purpose,
                  c -> {
                    try {
                      return edit.apply(c);
                    } catch (IOException | RuntimeException e) {
                      throw e;
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  });
              return "ok";
            });
    if (!model.current.equals(
        before)) { // a write: the next generation, the one before as the backup
      generation++;
      backup = before;
    }
    StoredCatalog read = store.read();
    current = read.catalog();
    assertEquals(
        generation,
        read.generation(),
        () -> "generation of " + store.file() + "; so far:\n" + history());
    if (backup != null) {
      assertEquals(
          backup,
          entries(store.readBackup().orElseThrow().catalog()),
          () -> "the backup holds the catalog before the last write; so far:\n" + history());
    }
    return answer;
  }

  @FunctionalInterface
  private interface CatalogEdit {
    Catalog apply(Catalog current) throws Exception;
  }

  @FunctionalInterface
  private interface Call {
    String call() throws Exception;
  }

  /** Returns {@code ok ...} or the failure as {@code Type[/CODE]: message (+n suppressed)}. */
  static String describe(Call call) {
    try {
      return call.call();
    } catch (AssertionError e) {
      throw e;
    } catch (CatalogInvalidException e) {
      return "CatalogInvalidException: "
          + e.problems().stream().map(p -> p.kind() + p.entryIds().toString()).toList();
    } catch (Throwable e) {
      String type =
          e instanceof ProtochainException p
              ? "ProtochainException/" + p.code()
              : e.getClass().getSimpleName();
      return type + ": " + e.getMessage() + LifecycleModel.suppressed(e.getSuppressed().length);
    }
  }

  private static String missing(int how) {
    return switch (how) {
      case 1 ->
          "ProtochainException/NO_MATCHING_ENTRY: no catalog entry is named '"
              + LifecycleModel.MISSING_NAME
              + "'";
      case 2 ->
          "ProtochainException/NO_MATCHING_ENTRY: no catalog entry serves " + LifecycleModel.SERVED;
      default ->
          "ProtochainException/NO_MATCHING_ENTRY: no catalog entry has id "
              + LifecycleModel.MISSING_ID;
    };
  }

  /* ---- the checks after every step ---- */

  private void check() throws Exception {
    Supplier<String> where = () -> "after step " + steps + "; so far:\n" + history();
    assertEquals(
        model.reportedCounts(), new TreeMap<>(runtime.counts()), () -> "counts " + where.get());
    for (Entry p : model.providerEntries()) {
      int count = model.count(p);
      assertEquals(count, runtime.count(p.id()), () -> "count of " + p.label() + " " + where.get());
      assertEquals(
          (int) model.loads.getOrDefault(p.id(), 0),
          runtime.loads(p.id()),
          () -> "loads of " + p.label() + " " + where.get());
      assertEquals(
          count > 0 ? ProviderState.RUNNING : ProviderState.UNLOADED,
          runtime.state(p.id()),
          () -> "state of " + p.label() + " " + where.get());
    }
    for (String p : LifecycleModel.PROVIDERS) {
      assertEquals(
          model.loaded(p), recorder.loads(p), () -> "instances of " + p + " loaded " + where.get());
      assertEquals(
          model.live(p),
          recorder.loads(p) - recorder.unloads(p),
          () -> "instances of " + p + " alive " + where.get());
    }
    assertEquals(
        List.of(), recorder.violations(), () -> "hooks on unloaded instances " + where.get());
    for (int i = 0; i < sessions.size(); i++) {
      int n = i;
      assertEquals(
          model.sessions.get(i).open,
          sessions.get(i).isOpen(),
          () -> "session " + n + " open " + where.get());
    }
    for (int i = 0; i < pairs.size(); i++) {
      int n = i;
      boolean alive = model.pairs.get(i).state == PairState.ALIVE;
      assertEquals(
          alive, pairs.get(i)[0].isOpen(), () -> "client of pair " + n + " open " + where.get());
      assertEquals(
          alive, pairs.get(i)[1].isOpen(), () -> "server of pair " + n + " open " + where.get());
    }
    assertEquals(model.current, entries(current), () -> "edited catalog " + where.get());
    // The plugin's record stays, in a value and in the file alike, as long as an entry names its
    // provider; once none does, it is dropped for good (a later install of a layer c would record
    // its jar afresh).
    pluginKept &=
        current.entries().stream().anyMatch(e -> e.providerId().equals(PLUGIN.providerId()));
    assertEquals(
        pluginKept ? List.of(PLUGIN) : List.of(),
        current.plugins(),
        () -> "plugins of the edited catalog " + where.get());
    assertEquals(
        model.snapshot, entries(runtime.catalog()), () -> "the runtime's snapshot " + where.get());
  }

  /**
   * After the runtime closed: every count is 0, each instance unloaded once, every socket closed.
   */
  private void checkClosedRuntime() {
    Supplier<String> where =
        () -> "after closing the runtime at step " + steps + "; so far:\n" + history();
    runtime
        .counts()
        .forEach((id, count) -> assertEquals(0, count, () -> "count of " + id + " " + where.get()));
    for (String p : LifecycleModel.PROVIDERS) {
      assertEquals(
          recorder.loads(p), recorder.unloads(p), () -> p + ": loads vs unloads " + where.get());
    }
    assertEquals(
        List.of(), recorder.violations(), () -> "hooks on unloaded instances " + where.get());
    for (Session s : sessions) {
      assertTrue(!s.isOpen(), () -> "a session open " + where.get());
    }
    for (ChainSocket[] pair : pairs) {
      assertTrue(!pair[0].isOpen() && !pair[1].isOpen(), () -> "a socket open " + where.get());
    }
  }

  private String history() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < log.size(); i++) {
      sb.append("  ").append(i + 1).append(") ").append(log.get(i)).append('\n');
    }
    return sb.append("  model: ").append(model).toString();
  }

  @Override
  public void close() {
    String expected = model.closeRuntime();
    String actual =
        describe(
            () -> {
              runtime.close();
              return "ok";
            });
    assertEquals(expected, actual, () -> "closing the runtime at the end; so far:\n" + history());
    checkClosedRuntime();
  }

  /* ---- conversions ---- */

  private static List<Entry> entries(Catalog catalog) {
    return catalog.entries().stream()
        .map(e -> new Entry(e.id(), e.name(), NAMES.get(e.providerId()), e.chain().ids()))
        .toList();
  }

  private static CatalogEntry toReal(Entry e) {
    return CatalogEntry.builder()
        .id(e.id())
        .name(e.name())
        .providerId(FakeProviderSource.idOf(e.provider()))
        .serves(AddressFamily.MEMORY, SocketType.STREAM, Protocol.MEMORY)
        .flags(
            e.isLayer()
                ? EnumSet.noneOf(ServiceFlag.class)
                : EnumSet.of(
                    ServiceFlag.GUARANTEED_DELIVERY,
                    ServiceFlag.GUARANTEED_ORDER,
                    ServiceFlag.GRACEFUL_CLOSE))
        .chain(ProtocolChain.of(e.chain()))
        .build();
  }
}
