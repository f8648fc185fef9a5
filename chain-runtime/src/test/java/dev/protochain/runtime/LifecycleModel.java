package dev.protochain.runtime;

import dev.protochain.runtime.testing.Phase;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The reference model of the lifecycle contract (DESIGN.md, "The lifecycle contract") and of the
 * catalog edits: a second, deliberately plain implementation of what the contract and the API
 * documentation promise, sharing no code with the runtime. It keeps counts, loads and unloads per
 * provider entry, which sessions are open, which socket pairs are alive, closed or aborted (and by
 * which provider's final cleanup), the injected faults, the edited catalog and the runtime's
 * snapshot. Each operation returns what the real call must answer (type, code, whole message and
 * how many failures it suppresses), in the form {@link LifecycleMachine#describe} gives the real
 * answer. Not thread-safe.
 */
final class LifecycleModel {

  /** The providers: layers first, then bases. */
  static final List<String> LAYERS = List.of("a", "b", "c");

  static final List<String> PROVIDERS = List.of("a", "b", "c", "x", "y");

  /** The versions each provider speaks, as {@code major * 256 + minor} pairs. */
  static final Map<String, int[]> VERSIONS =
      Map.of(
          "a",
          range("1.0-2.2"),
          "b",
          range("2.0-2.2"),
          "c",
          range("1.0-2.2"),
          "x",
          range("1.0-2.2"),
          "y",
          range("1.0-2.1"));

  static final int MISSING_ID = 9999;
  static final String MISSING_NAME = "nope";
  static final String SERVED = "MEMORY/STREAM/MEMORY";

  /** One catalog entry as the model sees it; a chain's provider is its top layer's. */
  record Entry(int id, String name, String provider, List<Integer> chain) {
    boolean isLayer() {
      return chain.isEmpty();
    }

    boolean isChain() {
      return chain.size() > 1;
    }

    /** As {@code Catalog.label}: {@code 2001 'a'}. */
    String label() {
      return id + " '" + name + "'";
    }

    /** As {@code CatalogEntry.toString()}. */
    String describe() {
      return "entry "
          + id
          + " '"
          + name
          + "' ("
          + (isChain() ? "chain " + chain : isLayer() ? "layer" : "base")
          + ")";
    }
  }

  enum PairState {
    ALIVE,
    CLOSED,
    ABORTED
  }

  static final class Session {
    final Entry entry;
    final List<Entry> levels;
    boolean open = true;

    Session(Entry entry, List<Entry> levels) {
      this.entry = entry;
      this.levels = levels;
    }
  }

  static final class Pair {
    final Entry entry;
    PairState state = PairState.ALIVE;
    String abortedBy;

    Pair(Entry entry) {
      this.entry = entry;
    }
  }

  /** The catalog as edited, and the snapshot the runtime was built with. */
  List<Entry> current;

  List<Entry> snapshot;
  final Map<Integer, Integer> counts = new HashMap<>();
  final Map<Integer, Integer> loads = new HashMap<>();
  final Map<Integer, Integer> unloads = new HashMap<>();
  final List<Session> sessions = new ArrayList<>();
  final List<Pair> pairs = new ArrayList<>();
  final Set<String> faults = new HashSet<>();

  LifecycleModel() {
    current =
        List.of(
            new Entry(3001, "a-b-x", "a", List.of(2001, 2002, 1101)),
            new Entry(3003, "c-b-x", "c", List.of(2003, 2002, 1101)),
            new Entry(1101, "x", "x", List.of(1101)),
            new Entry(3002, "a-y", "a", List.of(2001, 1102)),
            new Entry(3004, "b-y", "b", List.of(2002, 1102)),
            new Entry(1102, "y", "y", List.of(1102)),
            new Entry(2001, "a", "a", List.of()),
            new Entry(2002, "b", "b", List.of()),
            new Entry(2003, "c", "c", List.of()));
    snapshot = current;
  }

  /* ---- references ---- */

  /**
   * Returns the snapshot entry an index names, or empty for the one past the end (a missing entry).
   */
  Optional<Entry> snapshotEntry(int index) {
    int i = Math.floorMod(index, snapshot.size() + 1);
    return i == snapshot.size() ? Optional.empty() : Optional.of(snapshot.get(i));
  }

  Entry entry(List<Entry> catalog, int id) {
    return catalog.stream()
        .filter(e -> e.id() == id)
        .findFirst()
        .orElseThrow(() -> new AssertionError("model: no entry " + id));
  }

  /* ---- startup ---- */

  /**
   * Starts up {@code target} (already resolved; a layer's own entry is refused) asking for {@code
   * requested}.
   */
  String startup(Entry target, String requested) {
    if (target.isLayer()) {
      return "ProtochainException/NO_MATCHING_ENTRY: "
          + target.describe()
          + " is a layer's own entry; start up a chain that names it";
    }
    List<Entry> levels =
        target.isChain()
            ? target.chain().stream().map(id -> entry(snapshot, id)).toList()
            : List.of(target);
    int[] asked = range(requested);
    List<Entry> acquired = new ArrayList<>();
    int topVersion = -1;
    for (int depth = 0; depth < levels.size(); depth++) {
      Entry p = levels.get(depth);
      int[] speaks = VERSIONS.get(p.provider());
      int high = Math.min(speaks[1], asked[1]);
      int low = Math.max(speaks[0], asked[0]);
      if (low > high) {
        List<String> rollback = releaseAll(acquired);
        return failure(
            "VERSION_NOT_SUPPORTED",
            "startup of "
                + target.describe()
                + ": "
                + provider(p)
                + " at depth "
                + depth
                + " supports versions "
                + format(speaks)
                + ", none in the requested "
                + format(asked),
            rollback);
      }
      if (count(p) == 0) {
        if (fails(p, Phase.LOAD)) {
          List<String> rollback = releaseAll(acquired);
          return failure(
              "PROVIDER_FAILED_INIT",
              provider(p) + " failed to load: " + injected(p, Phase.LOAD),
              rollback);
        }
        loads.merge(p.id(), 1, Integer::sum);
      }
      counts.merge(p.id(), 1, Integer::sum);
      acquired.add(p);
      if (depth == 0) {
        topVersion = high;
      }
      asked = new int[] {speaks[0], high};
    }
    for (int depth = levels.size() - 1; depth >= 0; depth--) {
      Entry p = levels.get(depth);
      if (fails(p, Phase.STARTUP)) {
        List<String> rollback = cleanup(levels.subList(depth + 1, levels.size()));
        rollback.addAll(releaseAll(levels.subList(0, depth + 1)));
        return failure(
            "PROVIDER_FAILED_INIT",
            "startup of "
                + target.describe()
                + ": "
                + provider(p)
                + " at depth "
                + depth
                + " failed to start: "
                + injected(p, Phase.STARTUP),
            rollback);
      }
    }
    sessions.add(new Session(target, levels));
    return "ok v" + format(topVersion);
  }

  /**
   * Releases {@code acquired} in reverse order, as a rolled-back startup does; returns the
   * failures.
   */
  private List<String> releaseAll(List<Entry> acquired) {
    List<String> failures = new ArrayList<>();
    for (int i = acquired.size() - 1; i >= 0; i--) {
      failures.addAll(release(acquired.get(i)));
    }
    return failures;
  }

  /* ---- cleanup ---- */

  /**
   * Cleans up {@code levels} top-down: each provider's cleanup hook, then its count; returns the
   * failures.
   */
  private List<String> cleanup(List<Entry> levels) {
    List<String> failures = new ArrayList<>();
    for (Entry p : levels) {
      if (fails(p, Phase.CLEANUP)) {
        failures.add(provider(p) + " failed to clean up: " + injected(p, Phase.CLEANUP));
      }
      failures.addAll(release(p));
    }
    return failures;
  }

  /** Drops one count; at zero aborts the live pairs through the provider, drains and unloads it. */
  private List<String> release(Entry p) {
    int left = counts.merge(p.id(), -1, Integer::sum);
    if (left < 0) {
      throw new AssertionError("model: count of " + p.label() + " below zero");
    }
    if (left > 0) {
      return List.of();
    }
    List<String> failures = new ArrayList<>();
    for (Pair pair : pairs) {
      if (pair.state == PairState.ALIVE && pair.entry.chain().contains(p.id())) {
        pair.state = PairState.ABORTED;
        pair.abortedBy = provider(p);
      }
    }
    if (fails(p, Phase.DRAIN)) {
      failures.add(provider(p) + " failed to drain: " + injected(p, Phase.DRAIN));
    }
    if (fails(p, Phase.UNLOAD)) {
      failures.add(provider(p) + " failed to unload: " + injected(p, Phase.UNLOAD));
    }
    unloads.merge(p.id(), 1, Integer::sum);
    return failures;
  }

  /** Closes a session: once; a second close does nothing. */
  String close(Session s) {
    List<String> failures = closeFailures(s);
    return failures.isEmpty()
        ? "ok"
        : "ProtochainException/PROVIDER_FAILED_INIT: "
            + failures.get(0)
            + suppressed(failures.size() - 1);
  }

  private List<String> closeFailures(Session s) {
    if (!s.open) {
      return List.of();
    }
    s.open = false;
    return cleanup(s.levels);
  }

  /**
   * The count-level cleanup of an entry: the most recent open session on it, or not initialised.
   */
  String cleanup(Optional<Entry> target) {
    if (target.isEmpty()) {
      return "NotInitialisedException: entry " + MISSING_ID + " does not exist: count 0, cleanup 1";
    }
    Entry e = target.get();
    for (int i = sessions.size() - 1; i >= 0; i--) {
      Session s = sessions.get(i);
      if (s.open && s.entry.id() == e.id()) {
        return close(s);
      }
    }
    // A layer's own entry is named by its entry name, a base or chain by its top provider.
    String name = e.isLayer() ? e.name() : e.provider();
    return "NotInitialisedException: provider '"
        + name
        + "' (entry "
        + e.id()
        + "): count 0, cleanup 1";
  }

  /**
   * Closes every open session, most recent first, as closing the runtime does: the first failing
   * session's exception is thrown, carrying its own suppressed failures and then the other
   * sessions'.
   */
  String closeRuntime() {
    List<String> first = null;
    int more = 0;
    for (int i = sessions.size() - 1; i >= 0; i--) {
      List<String> failures = closeFailures(sessions.get(i));
      if (!failures.isEmpty()) {
        if (first == null) {
          first = failures;
        } else {
          more++;
        }
      }
    }
    return first == null
        ? "ok"
        : "ProtochainException/PROVIDER_FAILED_INIT: "
            + first.get(0)
            + suppressed(first.size() - 1 + more);
  }

  /** Starts afresh from the edited catalog, as a new runtime built from it does. */
  void reinit() {
    snapshot = current;
    counts.clear();
    loads.clear();
    unloads.clear();
    sessions.clear();
    pairs.clear();
  }

  /* ---- sockets ---- */

  /**
   * Opens a pair through a session: refused once the session is closed, or where a provider fails
   * to open.
   */
  String openPair(Session s) {
    if (!s.open) {
      return "NotInitialisedException: session of "
          + s.entry.describe()
          + " was cleaned up: count 0, open 1";
    }
    for (int depth = s.levels.size() - 1; depth >= 0; depth--) {
      Entry p = s.levels.get(depth);
      if (fails(p, Phase.OPEN)) {
        return "ProtochainException/PROVIDER_FAILED_INIT: open of a socket on "
            + s.entry.describe()
            + ": "
            + provider(p)
            + " at depth "
            + depth
            + " failed to "
            + (depth == s.levels.size() - 1 ? "open" : "wrap")
            + " it: "
            + injected(p, Phase.OPEN);
      }
    }
    pairs.add(new Pair(s.entry));
    return "ok";
  }

  /**
   * Sends over a pair: bytes arrive while it is alive; the top-most failing provider's socket
   * throws first.
   */
  String send(Pair pair) {
    if (pair.state == PairState.ABORTED) {
      return "ProtochainException/OPERATION_ABORTED: send on a socket of "
          + pair.entry.describe()
          + " aborted: "
          + pair.abortedBy
          + " was cleaned up";
    }
    for (int id : pair.entry.chain()) {
      Entry p = entry(snapshot, id);
      if (fails(p, Phase.SEND)) {
        return "IOException: " + p.provider() + " fails at SEND (injected)";
      }
    }
    return pair.state == PairState.CLOSED ? "ClosedChannelException: null" : "ok";
  }

  String closePair(Pair pair) {
    if (pair.state == PairState.ALIVE) {
      pair.state = PairState.CLOSED;
    }
    return "ok";
  }

  /* ---- catalog edits ---- */

  /** Installs a layer as {@code Catalog.installLayer} documents it, then validates the result. */
  String install(String provider, String name, List<Integer> targetIds) {
    if (current.stream().anyMatch(e -> e.name().equals(name))) {
      return "IllegalArgumentException: installing layer '"
          + name
          + "': an entry with that name exists already";
    }
    List<Entry> targets = new ArrayList<>();
    for (int id : targetIds) {
      Entry t = entry(current, id);
      if (t.isLayer()) {
        return "IllegalArgumentException: installing layer '"
            + name
            + "': "
            + t.describe()
            + " is a layer's own entry; install over a base or a chain";
      }
      targets.add(t);
    }
    List<Entry> result = new ArrayList<>(current);
    Entry layer = new Entry(nextId(result, 2001), name, provider, List.of());
    result.add(layer);
    for (Entry t : targets) {
      String chainName = name + "-" + t.name();
      if (result.stream().anyMatch(e -> e.name().equals(chainName))) {
        return "IllegalArgumentException: installing layer '"
            + name
            + "': an entry named '"
            + chainName
            + "' exists already";
      }
      List<Integer> ids = new ArrayList<>();
      ids.add(layer.id());
      ids.addAll(t.chain());
      Entry chain = new Entry(nextId(result, 3001), chainName, provider, List.copyOf(ids));
      int at =
          IntStream.range(0, result.size())
              .filter(i -> result.get(i).id() == t.id())
              .findFirst()
              .orElseThrow();
      result.add(at, chain);
    }
    return commit(result);
  }

  /** Removes an entry as {@code Catalog.remove} documents it. */
  String remove(Optional<Entry> target, boolean cascade) {
    if (target.isEmpty()) {
      return "IllegalArgumentException: removing entry " + MISSING_ID + ": there is no such entry";
    }
    Entry e = target.get();
    List<Entry> dependents =
        current.stream()
            .filter(d -> d.id() != e.id() && d.isChain() && d.chain().contains(e.id()))
            .toList();
    if (!cascade && !dependents.isEmpty()) {
      boolean one = dependents.size() == 1;
      return "IllegalArgumentException: removing "
          + e.label()
          + ": "
          + (one ? "chain " : "chains ")
          + labels(dependents)
          + (one ? " depends" : " depend")
          + " on it (remove "
          + (one ? "it" : "them")
          + " first, or cascade)";
    }
    Set<Integer> gone = new HashSet<>();
    gone.add(e.id());
    dependents.forEach(d -> gone.add(d.id()));
    return commit(current.stream().filter(x -> !gone.contains(x.id())).toList());
  }

  /** Returns the ids an {@code Order} step names, before {@link #order} checks them. */
  List<Integer> orderIds(List<Integer> keys, int mutation) {
    List<Entry> selectable = current.stream().filter(e -> !e.isLayer()).toList();
    List<Integer> ids =
        IntStream.range(0, selectable.size())
            .boxed()
            .sorted(
                Comparator.comparing((Integer i) -> keys.isEmpty() ? 0 : keys.get(i % keys.size()))
                    .thenComparing(i -> i))
            .map(i -> selectable.get(i).id())
            .collect(Collectors.toCollection(ArrayList::new));
    switch (mutation) {
      case 1:
        if (!ids.isEmpty()) {
          ids.remove(ids.size() - 1);
        }
        break;
      case 2:
        if (!ids.isEmpty()) {
          ids.add(ids.get(0));
        }
        break;
      case 3:
        current.stream().filter(Entry::isLayer).findFirst().ifPresent(l -> ids.add(l.id()));
        break;
      case 4:
        ids.add(MISSING_ID);
        break;
      default:
        break;
    }
    return ids;
  }

  /** Reorders as {@code Catalog.order} documents it: every problem at once, or the new order. */
  String order(List<Integer> ids) {
    List<String> problems = new ArrayList<>();
    List<Entry> ordered = new ArrayList<>();
    Set<Integer> named = new HashSet<>();
    for (int id : ids) {
      Optional<Entry> e = current.stream().filter(x -> x.id() == id).findFirst();
      if (e.isEmpty()) {
        problems.add("there is no entry " + id);
      } else if (e.get().isLayer()) {
        problems.add(
            e.get().label() + " is a layer's own entry (name base and chain entries only)");
      } else if (!named.add(id)) {
        problems.add(e.get().label() + " is named twice");
      } else {
        ordered.add(e.get());
      }
    }
    List<Entry> left =
        current.stream().filter(e -> !e.isLayer() && !named.contains(e.id())).toList();
    if (!left.isEmpty()) {
      problems.add(
          labels(left)
              + (left.size() == 1 ? " is" : " are")
              + " left out (name every base and chain entry)");
    }
    if (!problems.isEmpty()) {
      return "IllegalArgumentException: ordering the catalog: " + String.join("; ", problems);
    }
    current.stream().filter(Entry::isLayer).forEach(ordered::add);
    return commit(ordered);
  }

  /**
   * Keeps an edited catalog if it is valid, as a tool writing it does. Edits can only break names
   * (malformed) and lengths (over 7); problems come names first, then chains, each in catalog
   * order.
   */
  private String commit(List<Entry> edited) {
    List<String> problems = new ArrayList<>();
    for (Entry e : edited) {
      if (!e.name().matches("[a-z][a-z0-9-]{0,63}")) {
        problems.add("MALFORMED[" + e.id() + "]");
      }
    }
    for (Entry e : edited) {
      if (e.chain().size() > 7) {
        problems.add("CHAIN_TOO_LONG[" + e.id() + "]");
      }
    }
    if (!problems.isEmpty()) {
      return "CatalogInvalidException: " + problems;
    }
    current = List.copyOf(edited);
    return "ok";
  }

  /* ---- what the checks read ---- */

  int count(Entry p) {
    return counts.getOrDefault(p.id(), 0);
  }

  /** Returns the counts the runtime reports: every provider entry loaded at least once. */
  Map<Integer, Integer> reportedCounts() {
    Map<Integer, Integer> out = new TreeMap<>();
    loads.forEach(
        (id, n) -> {
          if (n > 0) {
            out.put(id, counts.getOrDefault(id, 0));
          }
        });
    return out;
  }

  /** Returns the provider entries of the snapshot (layers' own entries and bases). */
  List<Entry> providerEntries() {
    return snapshot.stream().filter(e -> !e.isChain()).toList();
  }

  /** Returns how many instances of {@code provider} are loaded now. */
  int live(String provider) {
    return (int)
        providerEntries().stream()
            .filter(e -> e.provider().equals(provider) && count(e) > 0)
            .count();
  }

  /** Returns how many instances of {@code provider} were loaded in this runtime. */
  int loaded(String provider) {
    return providerEntries().stream()
        .filter(e -> e.provider().equals(provider))
        .mapToInt(e -> loads.getOrDefault(e.id(), 0))
        .sum();
  }

  /* ---- helpers ---- */

  boolean fails(Entry p, Phase phase) {
    return faults.contains(p.provider() + " " + phase);
  }

  static String provider(Entry p) {
    return "provider '" + p.provider() + "' (entry " + p.id() + ")";
  }

  static String injected(Entry p, Phase phase) {
    return "java.io.IOException: " + p.provider() + " fails at " + phase + " (injected)";
  }

  private static String failure(String code, String message, List<String> rollback) {
    return "ProtochainException/" + code + ": " + message + suppressed(rollback.size());
  }

  static String suppressed(int n) {
    return n == 0 ? "" : " (+" + n + " suppressed)";
  }

  private static String labels(List<Entry> entries) {
    return entries.stream().map(Entry::label).collect(Collectors.joining(", "));
  }

  private static int nextId(List<Entry> entries, int from) {
    Set<Integer> used = entries.stream().map(Entry::id).collect(Collectors.toSet());
    int id = from;
    while (used.contains(id)) {
      id++;
    }
    return id;
  }

  static int[] range(String text) {
    String[] parts = text.split("-", -1);
    int min = version(parts[0]);
    return new int[] {min, parts.length == 1 ? min : version(parts[1])};
  }

  private static int version(String text) {
    String[] p = text.split("\\.", -1);
    return Integer.parseInt(p[0]) * 256 + Integer.parseInt(p[1]);
  }

  static String format(int version) {
    return (version / 256) + "." + (version % 256);
  }

  static String format(int[] range) {
    return range[0] == range[1] ? format(range[0]) : format(range[0]) + "-" + format(range[1]);
  }

  /** Returns a one-line picture of the model, for failure messages. */
  @Override
  public String toString() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("counts", new TreeMap<>(counts));
    m.put(
        "sessions", sessions.stream().map(s -> s.entry.id() + (s.open ? "" : " closed")).toList());
    m.put(
        "pairs",
        pairs.stream()
            .map(p -> p.entry.id() + " " + p.state.name().toLowerCase(Locale.ROOT))
            .toList());
    m.put(
        "faults",
        new TreeMap<>(faults.stream().collect(Collectors.toMap(f -> f, f -> true))).keySet());
    m.put("snapshot", snapshot.stream().map(Entry::id).toList());
    return m.toString();
  }
}
