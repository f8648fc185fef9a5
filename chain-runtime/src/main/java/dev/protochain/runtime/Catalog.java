package dev.protochain.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.internal.Compatibility;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The ordered list of catalog entries [the Winsock protocol catalog]: base entries, layers' own
 * entries and chains. An application asking for (family, type, protocol) gets the first matching
 * base or chain entry in this order.
 *
 * <p>A catalog may be invalid (it is what was read); {@link #problems()} lists every problem at
 * once and {@link #checkValid(String)} throws them together. Instances are immutable: editing
 * methods return a new catalog.
 */
public final class Catalog {

  /** The UUID of the TCP base provider in {@code protochain-base-provider}. */
  public static final UUID TCP_PROVIDER = UUID.fromString("e85577c8-77f9-4b92-99fb-3692a01855bd");

  /** The UUID of the UDP base provider in {@code protochain-base-provider}. */
  public static final UUID UDP_PROVIDER = UUID.fromString("22eb1599-dac5-4d67-bcd6-e13e268039ad");

  /** The UUID of the in-memory base provider in {@code protochain-base-provider}. */
  public static final UUID MEMORY_PROVIDER =
      UUID.fromString("d2bc4dc3-028d-4d53-86cd-d1d3f4f94e65");

  /** Ids of entries a catalog install assigns start here for layers... */
  static final int FIRST_LAYER_ID = 2001;

  /** ... and here for chains. */
  static final int FIRST_CHAIN_ID = 3001;

  private static final Catalog BUILTIN =
      new Catalog(
          ImmutableList.of(
              base(
                  1001,
                  "tcp4",
                  TCP_PROVIDER,
                  AddressFamily.INET,
                  SocketType.STREAM,
                  Protocol.TCP,
                  stream()),
              base(
                  1002,
                  "tcp6",
                  TCP_PROVIDER,
                  AddressFamily.INET6,
                  SocketType.STREAM,
                  Protocol.TCP,
                  stream()),
              base(
                  1003,
                  "udp4",
                  UDP_PROVIDER,
                  AddressFamily.INET,
                  SocketType.DATAGRAM,
                  Protocol.UDP,
                  datagram(true)),
              base(
                  1004,
                  "udp6",
                  UDP_PROVIDER,
                  AddressFamily.INET6,
                  SocketType.DATAGRAM,
                  Protocol.UDP,
                  datagram(false)),
              base(
                  1005,
                  "mem-stream",
                  MEMORY_PROVIDER,
                  AddressFamily.MEMORY,
                  SocketType.STREAM,
                  Protocol.MEMORY,
                  stream()),
              base(
                  1006,
                  "mem-dgram",
                  MEMORY_PROVIDER,
                  AddressFamily.MEMORY,
                  SocketType.DATAGRAM,
                  Protocol.MEMORY,
                  datagram(false))));

  private final ImmutableList<CatalogEntry> entries;
  private final ImmutableList<PluginRecord> plugins;

  private Catalog(ImmutableList<CatalogEntry> entries) {
    this(entries, ImmutableList.of());
  }

  private Catalog(ImmutableList<CatalogEntry> entries, ImmutableList<PluginRecord> plugins) {
    this.entries = entries;
    this.plugins = plugins;
  }

  /**
   * Returns the built-in catalog: the base entries {@code tcp4} (1001), {@code tcp6} (1002), {@code
   * udp4} (1003), {@code udp6} (1004), {@code mem-stream} (1005) and {@code mem-dgram} (1006), in
   * that order. A catalog reset returns to it.
   */
  public static Catalog builtin() {
    return BUILTIN;
  }

  /** Returns a catalog of {@code entries} in their order, valid or not. */
  public static Catalog of(List<CatalogEntry> entries) {
    return new Catalog(ImmutableList.copyOf(entries));
  }

  /** Returns a catalog of {@code entries} and the installed {@code plugins}, valid or not. */
  public static Catalog of(List<CatalogEntry> entries, List<PluginRecord> plugins) {
    return new Catalog(ImmutableList.copyOf(entries), ImmutableList.copyOf(plugins));
  }

  /** Returns the installed plugins, in install order. */
  public List<PluginRecord> plugins() {
    return plugins;
  }

  /** Returns the plugin holding the provider {@code providerId}, if one is installed. */
  public Optional<PluginRecord> plugin(UUID providerId) {
    return plugins.stream().filter(p -> p.providerId().equals(providerId)).findFirst();
  }

  /** Returns a catalog recording {@code plugin}, replacing any record of the same provider. */
  public Catalog withPlugin(PluginRecord plugin) {
    List<PluginRecord> out = new ArrayList<>(plugins);
    out.removeIf(p -> p.providerId().equals(plugin.providerId()));
    out.add(plugin);
    return new Catalog(entries, ImmutableList.copyOf(out));
  }

  /** Returns every entry, in catalog order. */
  public List<CatalogEntry> entries() {
    return entries;
  }

  /** Returns the entry with {@code id}, if any. */
  public Optional<CatalogEntry> entry(int id) {
    return entries.stream().filter(e -> e.id() == id).findFirst();
  }

  /** Returns the entry named {@code name}, if any. */
  public Optional<CatalogEntry> entry(String name) {
    return entries.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  /**
   * Returns the entry an application asking for (family, type, protocol) gets: the first base or
   * chain entry serving them, in catalog order; with {@code safeMode}, the first base entry.
   */
  public Optional<CatalogEntry> select(
      AddressFamily family, SocketType type, Protocol protocol, boolean safeMode) {
    return explain(family, type, protocol, safeMode).entry();
  }

  /**
   * Returns the entry an application asking for (family, type, protocol) gets, and why every other
   * entry was passed over.
   */
  public Selection explain(
      AddressFamily family, SocketType type, Protocol protocol, boolean safeMode) {
    CatalogEntry chosen = null;
    List<Selection.PassedOver> passed = new ArrayList<>();
    for (CatalogEntry e : entries) {
      String reason;
      if (e.kind() == EntryKind.LAYER) {
        reason = "a layer's own entry; applications never select it";
      } else if (!e.serves(family, type, protocol)) {
        reason = "serves " + e.family() + "/" + e.type() + "/" + e.protocol();
      } else if (safeMode && e.kind() == EntryKind.CHAIN) {
        reason = "a chain; safe mode selects base entries only";
      } else if (chosen != null) {
        reason = "matches, but comes after entry " + chosen.id() + " '" + chosen.name() + "'";
      } else {
        chosen = e;
        continue;
      }
      passed.add(new Selection.PassedOver(e, reason));
    }
    return new Selection(family, type, protocol, chosen, passed);
  }

  /**
   * Returns the entries of {@code entry}'s chain, top first, or the entry alone for a base.
   *
   * @throws IllegalArgumentException if it is a layer's own entry or names a missing entry
   */
  public List<CatalogEntry> resolve(CatalogEntry entry) {
    checkArgument(
        entry.kind() != EntryKind.LAYER, "%s is a layer's own entry; it has no chain", entry);
    if (entry.kind() == EntryKind.BASE) {
      return List.of(entry);
    }
    List<CatalogEntry> levels = new ArrayList<>(entry.chain().length());
    for (int id : entry.chain().ids()) {
      levels.add(
          entry(id)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          entry + " names entry " + id + ", which does not exist")));
    }
    return levels;
  }

  /** Returns the chains whose chain names {@code entryId}, other than the entry itself. */
  public List<CatalogEntry> dependents(int entryId) {
    List<CatalogEntry> out = new ArrayList<>();
    for (CatalogEntry e : entries) {
      if (e.id() != entryId && e.kind() == EntryKind.CHAIN && e.chain().contains(entryId)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Returns a catalog with {@code entry} appended, or replacing the entry with its id in place. */
  public Catalog with(CatalogEntry entry) {
    List<CatalogEntry> out = new ArrayList<>(entries);
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).id() == entry.id()) {
        out.set(i, entry);
        return new Catalog(ImmutableList.copyOf(out), plugins);
      }
    }
    out.add(entry);
    return new Catalog(ImmutableList.copyOf(out), plugins);
  }

  /** Returns a catalog with {@code entry} inserted just before the entry with {@code beforeId}. */
  public Catalog withBefore(CatalogEntry entry, int beforeId) {
    List<CatalogEntry> out = new ArrayList<>(entries);
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).id() == beforeId) {
        out.add(i, entry);
        return new Catalog(ImmutableList.copyOf(out), plugins);
      }
    }
    throw new IllegalArgumentException("no entry " + beforeId + " to insert " + entry + " before");
  }

  /**
   * Returns a catalog with a layer installed [Winsock's {@code WSCInstallProvider} of an LSP]: the
   * layer's own entry, appended, and for each target (a base or a chain) a chain entry naming the
   * layer above the target's chain, placed just before the target so that it is selected first. The
   * layer entry gets the next free id from 2001, each chain the next free id from 3001, and the
   * name {@code <layer>-<target>}. The result is not validated: a chain grown beyond {@link
   * ProtocolChain#MAX_LENGTH} shows in {@link #problems()}.
   *
   * @throws IllegalArgumentException if the name is taken, a target is missing or is a layer's own
   *     entry, or there is no target
   */
  public Catalog installLayer(
      String name, UUID providerId, Map<String, String> settings, List<Integer> targets) {
    checkArgument(!targets.isEmpty(), "installing layer '%s': no entry to install it over", name);
    checkArgument(
        entry(name).isEmpty(),
        "installing layer '%s': an entry with that name exists already",
        name);
    List<CatalogEntry> over = new ArrayList<>();
    for (int id : targets) {
      CatalogEntry target =
          entry(id)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "installing layer '"
                              + name
                              + "': no entry "
                              + id
                              + " to install it over"));
      checkArgument(
          target.isSelectable(),
          "installing layer '%s': %s is a layer's own entry; install over a base " + "or a chain",
          name,
          target);
      over.add(target);
    }
    CatalogEntry layer = layerEntry(name, providerId, settings, over.get(0));
    Catalog result = with(layer);
    for (CatalogEntry target : over) {
      List<Integer> ids = new ArrayList<>();
      ids.add(layer.id());
      ids.addAll(target.chain().ids());
      String chainName = name + "-" + target.name();
      checkArgument(
          result.entry(chainName).isEmpty(),
          "installing layer '%s': an entry named '%s' exists already",
          name,
          chainName);
      CatalogEntry chain =
          CatalogEntry.builder()
              .id(result.nextId(FIRST_CHAIN_ID))
              .name(chainName)
              .providerId(providerId)
              .serves(target.family(), target.type(), target.protocol())
              .flags(target.flags())
              .version(target.version())
              .chain(ProtocolChain.of(ids))
              .build();
      result = result.withBefore(chain, target.id());
    }
    return result;
  }

  private CatalogEntry layerEntry(
      String name, UUID providerId, Map<String, String> settings, CatalogEntry first) {
    return CatalogEntry.builder()
        .id(nextId(FIRST_LAYER_ID))
        .name(name)
        .providerId(providerId)
        .serves(first.family(), first.type(), first.protocol())
        .flags(first.flags())
        .version(first.version())
        .chain(ProtocolChain.layer())
        .settings(settings)
        .build();
  }

  /**
   * Returns a catalog with the layer {@code layer} installed over {@code targets}, as {@link
   * #installLayer(String, UUID, Map, List)} does, after checking what that method cannot know: the
   * provider is a layer, it accepts every key of {@code settings}, and it may go over each target
   * ({@link #installRefusal}). The layer entry is named after the provider.
   *
   * @throws IllegalArgumentException naming every problem at once, as in {@code installing layer
   *     'coalesce': 1003 'udp4': 'coalesce' requires GUARANTEED_ORDER below it, and its base 1003
   *     'udp4' provides CONNECTIONLESS, MESSAGE_ORIENTED, SUPPORT_BROADCAST}
   */
  public Catalog installLayer(
      ProviderDescriptor layer, Map<String, String> settings, List<Integer> targets) {
    List<CatalogProblem> problems = new ArrayList<>();
    Optional<CatalogEntry> first =
        targets.stream().map(this::entry).flatMap(Optional::stream).findFirst();
    if (first.isPresent()) { // with no target, the install is refused for that alone
      CatalogEntry own = layerEntry(layer.name(), layer.id(), settings, first.get());
      Compatibility.kind(own, layer).ifPresent(problems::add);
      problems.addAll(Compatibility.settings(own, layer));
    }
    List<String> refusals = new ArrayList<>();
    problems.forEach(p -> refusals.add(Compatibility.clause(p)));
    for (int id : targets) {
      Optional<CatalogEntry> target = entry(id);
      if (target.isEmpty()) {
        refusals.add("no entry " + id + " to install it over");
      } else {
        installRefusal(layer, target.get())
            .ifPresent(why -> refusals.add(label(target.get()) + ": " + why));
      }
    }
    checkArgument(
        refusals.isEmpty(), "installing layer '%s': %s", layer.name(), String.join("; ", refusals));
    return installLayer(layer.name(), layer.id(), settings, targets);
  }

  /**
   * Returns why {@code layer} may not go over {@code target}, or empty if it may: the target must
   * be a base or a chain of this catalog, the chain it would make must be at most {@link
   * ProtocolChain#MAX_LENGTH} long, and the target's base must provide every service the layer
   * {@linkplain ProviderDescriptor#requiresBelow() requires below it}.
   */
  public Optional<String> installRefusal(ProviderDescriptor layer, CatalogEntry target) {
    if (!target.isSelectable()) {
      return Optional.of("a layer's own entry; install over a base or a chain");
    }
    if (target.chain().length() + 1 > ProtocolChain.MAX_LENGTH) {
      return Optional.of(
          "a chain of "
              + target.chain().length()
              + " entries; '"
              + layer.name()
              + "' over it would make "
              + (target.chain().length() + 1)
              + " (expected: at most "
              + ProtocolChain.MAX_LENGTH
              + ")");
    }
    CatalogEntry base = entry(target.chain().baseId()).orElse(target);
    return Compatibility.missingServices(layer, base);
  }

  /**
   * Returns a catalog without the entry {@code id} [Winsock's {@code WSCDeinstallProvider}]. With
   * {@code cascade}, the chains naming it go too; without, a removal that would break a chain is
   * refused. The record of a plugin whose provider no entry names any more is dropped (its jar
   * stays in the plugin store). Removing a chain's last layer leaves nothing dangling; removing a
   * base also takes its chains (with {@code cascade}) but leaves their layers' own entries.
   *
   * @throws IllegalArgumentException if there is no such entry, or chains name it and {@code
   *     cascade} is false; the message lists those chains
   */
  public Catalog remove(int id, boolean cascade) {
    CatalogEntry entry =
        entry(id)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "removing entry " + id + ": there is no such entry"));
    List<CatalogEntry> dependents = dependents(id);
    checkArgument(
        cascade || dependents.isEmpty(),
        "removing %s: %s %s %s on it (remove %s first, or cascade)",
        label(entry),
        dependents.size() == 1 ? "chain" : "chains",
        labels(dependents),
        dependents.size() == 1 ? "depends" : "depend",
        dependents.size() == 1 ? "it" : "them");
    Set<Integer> gone = new HashSet<>();
    gone.add(id);
    dependents.forEach(e -> gone.add(e.id()));
    List<CatalogEntry> out = new ArrayList<>(entries);
    out.removeIf(e -> gone.contains(e.id()));
    // A plugin whose provider no entry names any more goes too; its jar stays in the store.
    List<PluginRecord> kept = new ArrayList<>(plugins);
    kept.removeIf(p -> out.stream().noneMatch(e -> e.providerId().equals(p.providerId())));
    return new Catalog(ImmutableList.copyOf(out), ImmutableList.copyOf(kept));
  }

  /**
   * Returns a catalog whose base and chain entries come in the order of {@code ids} [Winsock's
   * {@code WSCWriteProviderOrder}], followed by the layers' own entries in their present relative
   * order. {@code ids} must name every base and chain entry exactly once, and nothing else.
   *
   * @throws IllegalArgumentException naming every problem at once: ids of no entry, layers' own
   *     entries, entries named twice, and base or chain entries left out
   */
  public Catalog order(List<Integer> ids) {
    List<String> problems = new ArrayList<>();
    List<CatalogEntry> ordered = new ArrayList<>();
    Set<Integer> named = new HashSet<>();
    for (int id : ids) {
      Optional<CatalogEntry> e = entry(id);
      if (e.isEmpty()) {
        problems.add("there is no entry " + id);
      } else if (!e.get().isSelectable()) {
        problems.add(label(e.get()) + " is a layer's own entry (name base and chain entries only)");
      } else if (!named.add(id)) {
        problems.add(label(e.get()) + " is named twice");
      } else {
        ordered.add(e.get());
      }
    }
    List<CatalogEntry> left = new ArrayList<>();
    List<CatalogEntry> layers = new ArrayList<>();
    for (CatalogEntry e : entries) {
      if (!e.isSelectable()) {
        layers.add(e);
      } else if (!named.contains(e.id())) {
        left.add(e);
      }
    }
    if (!left.isEmpty()) {
      problems.add(
          labels(left)
              + (left.size() == 1 ? " is" : " are")
              + " left out (name every base and chain entry)");
    }
    checkArgument(problems.isEmpty(), "ordering the catalog: %s", String.join("; ", problems));
    ordered.addAll(layers);
    return new Catalog(ImmutableList.copyOf(ordered), plugins);
  }

  /** Returns a catalog without the entry {@code id} (and nothing else: chains naming it break). */
  public Catalog without(int id) {
    List<CatalogEntry> out = new ArrayList<>(entries);
    out.removeIf(e -> e.id() == id);
    return new Catalog(ImmutableList.copyOf(out), plugins);
  }

  /** Returns the smallest unused id at or above {@code from}. */
  public int nextId(int from) {
    Set<Integer> used = new HashSet<>();
    entries.forEach(e -> used.add(e.id()));
    int id = from;
    while (used.contains(id)) {
      id++;
    }
    return id;
  }

  /**
   * Returns every problem of this catalog, in catalog order; empty if it is valid. The checks:
   * unique ids and names; a base entry's chain names itself; a chain is at most {@link
   * ProtocolChain#MAX_LENGTH} long, names only existing entries, names neither itself nor another
   * chain nor any entry twice, holds layers' own entries above a base entry, and serves what its
   * base serves.
   */
  public List<CatalogProblem> problems() {
    List<CatalogProblem> problems = new ArrayList<>();
    Map<Integer, CatalogEntry> byId = new HashMap<>();
    Map<String, CatalogEntry> byName = new LinkedHashMap<>();
    for (CatalogEntry e : entries) {
      CatalogEntry other = byId.putIfAbsent(e.id(), e);
      if (other != null) {
        problems.add(
            problem(
                CatalogProblem.Kind.DUPLICATE_ID,
                "entries '" + other.name() + "' and '" + e.name() + "' share id " + e.id() + ".",
                e.id()));
      }
      CatalogEntry named = byName.putIfAbsent(e.name(), e);
      if (named != null) {
        problems.add(
            problem(
                CatalogProblem.Kind.DUPLICATE_NAME,
                "entries " + named.id() + " and " + e.id() + " share the name '" + e.name() + "'.",
                named.id(),
                e.id()));
      }
      if (e.id() <= 0) {
        problems.add(
            problem(
                CatalogProblem.Kind.MALFORMED,
                e + " has id " + e.id() + " (expected: > 0).",
                e.id()));
      }
      if (!e.name().matches("[a-z][a-z0-9-]{0,63}")) {
        problems.add(
            problem(
                CatalogProblem.Kind.MALFORMED,
                e
                    + " has a malformed name"
                    + " (expected: lower-case letters, digits and '-', starting with a letter).",
                e.id()));
      }
    }
    for (CatalogEntry e : entries) {
      switch (e.kind()) {
        case LAYER:
          break;
        case BASE:
          if (e.chain().get(0) != e.id()) {
            problems.add(
                problem(
                    CatalogProblem.Kind.BASE_CHAIN_MISMATCH,
                    e + " has chain " + e.chain() + " (expected: [" + e.id() + "]).",
                    e.id()));
          }
          break;
        case CHAIN:
          checkChain(e, byId, problems);
          break;
        default:
          throw new AssertionError(e.kind());
      }
    }
    return problems;
  }

  private static void checkChain(
      CatalogEntry e, Map<Integer, CatalogEntry> byId, List<CatalogProblem> problems) {
    ProtocolChain chain = e.chain();
    if (chain.length() > ProtocolChain.MAX_LENGTH) {
      problems.add(
          problem(
              CatalogProblem.Kind.CHAIN_TOO_LONG,
              e
                  + " is "
                  + chain.length()
                  + " entries long (expected: at most "
                  + ProtocolChain.MAX_LENGTH
                  + ").",
              e.id()));
    }
    Set<Integer> seen = new HashSet<>();
    for (int depth = 0; depth < chain.length(); depth++) {
      int id = chain.get(depth);
      boolean last = depth == chain.length() - 1;
      CatalogEntry named = byId.get(id);
      if (id == e.id()) {
        problems.add(problem(CatalogProblem.Kind.CYCLE, e + " names itself.", e.id()));
      } else if (!seen.add(id)) {
        problems.add(
            problem(CatalogProblem.Kind.CYCLE, e + " names entry " + id + " twice.", e.id(), id));
      } else if (named == null) {
        problems.add(
            problem(
                CatalogProblem.Kind.MISSING_ENTRY,
                e + " names entry " + id + ", which does not exist.",
                e.id(),
                id));
      } else if (named.kind() == EntryKind.CHAIN) {
        problems.add(
            problem(
                CatalogProblem.Kind.CYCLE,
                e + " names the chain " + named + "; a chain may name only layers and a base.",
                e.id(),
                id));
      } else if (last && named.kind() != EntryKind.BASE) {
        problems.add(
            problem(
                CatalogProblem.Kind.NOT_ENDING_IN_BASE,
                e + " ends in " + named + " (expected: a base entry).",
                e.id(),
                id));
      } else if (!last && named.kind() == EntryKind.BASE) {
        problems.add(
            problem(
                CatalogProblem.Kind.NOT_ENDING_IN_BASE,
                e
                    + " names the base "
                    + named
                    + " at depth "
                    + depth
                    + " (expected: a layer above the base).",
                e.id(),
                id));
      } else if (last && !named.serves(e.family(), e.type(), e.protocol())) {
        problems.add(
            problem(
                CatalogProblem.Kind.MISMATCHED_BASE,
                e
                    + " serves "
                    + e.family()
                    + "/"
                    + e.type()
                    + "/"
                    + e.protocol()
                    + " but its base "
                    + named
                    + " serves "
                    + named.family()
                    + "/"
                    + named.type()
                    + "/"
                    + named.protocol()
                    + ".",
                e.id(),
                id));
      }
    }
  }

  /**
   * Returns every problem of this catalog, as {@link #problems()} does, and then what only the
   * providers can tell, for each entry in catalog order: its provider is in {@code providers} and
   * usable; it is a layer for a layer's own entry and a base for a base entry; it accepts every
   * setting of the entry; and for each chain, every layer's {@linkplain
   * ProviderDescriptor#requiresBelow() required services} are provided by the chain's base.
   */
  public List<CatalogProblem> problems(ProviderSource providers) {
    List<CatalogProblem> problems = new ArrayList<>(problems());
    Map<Integer, ProviderDescriptor> described = new HashMap<>();
    for (CatalogEntry e : entries) {
      if (e.kind() == EntryKind.CHAIN) {
        continue; // a chain's provider is its top layer's, checked at the layer's own entry
      }
      Optional<ProviderDescriptor> d;
      try {
        d = providers.describe(e.providerId());
      } catch (ProtochainException x) {
        problems.add(
            problem(
                CatalogProblem.Kind.UNKNOWN_PROVIDER,
                e
                    + " names provider "
                    + e.providerId()
                    + ", which is unusable: "
                    + x.getMessage()
                    + ".",
                e.id()));
        continue;
      }
      if (d.isEmpty()) {
        problems.add(Compatibility.missing(e, providers));
        continue;
      }
      ProviderDescriptor p = d.get();
      Optional<CatalogProblem> kind = Compatibility.kind(e, p);
      if (kind.isPresent()) {
        problems.add(kind.get());
        continue;
      }
      described.put(e.id(), p);
      problems.addAll(Compatibility.settings(e, p));
    }
    for (CatalogEntry e : entries) {
      if (e.kind() != EntryKind.CHAIN || e.chain().length() < 2) {
        continue;
      }
      Optional<CatalogEntry> base = entry(e.chain().baseId());
      if (base.isEmpty() || base.get().kind() != EntryKind.BASE) {
        continue; // already reported by problems()
      }
      for (int depth = 0; depth < e.chain().length() - 1; depth++) {
        ProviderDescriptor layer = described.get(e.chain().get(depth));
        if (layer == null) {
          continue;
        }
        Compatibility.below(
                e.toString(),
                List.of(e.id(), e.chain().get(depth), base.get().id()),
                layer,
                base.get())
            .ifPresent(problems::add);
      }
    }
    return problems;
  }

  /**
   * Throws every problem at once if there is any.
   *
   * @param where what the catalog is, for the message: a file name, or {@code catalog}
   * @throws CatalogInvalidException listing every problem
   */
  public Catalog checkValid(String where) throws CatalogInvalidException {
    List<CatalogProblem> problems = problems();
    if (!problems.isEmpty()) {
      throw new CatalogInvalidException(where, problems);
    }
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Catalog
        && entries.equals(((Catalog) o).entries)
        && plugins.equals(((Catalog) o).plugins);
  }

  @Override
  public int hashCode() {
    return entries.hashCode() * 31 + plugins.hashCode();
  }

  /** Returns {@code Catalog[1001 tcp4, 2001 trace, ...]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Catalog[");
    for (int i = 0; i < entries.size(); i++) {
      sb.append(i == 0 ? "" : ", ")
          .append(entries.get(i).id())
          .append(' ')
          .append(entries.get(i).name());
    }
    return sb.append(']').toString();
  }

  /** Returns {@code 1001 'tcp4'}: an entry's id and name, as messages name entries. */
  public static String label(CatalogEntry e) {
    return e.id() + " '" + e.name() + "'";
  }

  private static String labels(List<CatalogEntry> entries) {
    return entries.stream().map(Catalog::label).collect(Collectors.joining(", "));
  }

  private static CatalogProblem problem(CatalogProblem.Kind kind, String message, Integer... ids) {
    return new CatalogProblem(kind, message, List.of(ids));
  }

  private static CatalogEntry base(
      int id,
      String name,
      UUID provider,
      AddressFamily family,
      SocketType type,
      Protocol protocol,
      Set<ServiceFlag> flags) {
    return CatalogEntry.builder()
        .id(id)
        .name(name)
        .providerId(provider)
        .serves(family, type, protocol)
        .flags(flags)
        .version(2)
        .chain(ProtocolChain.base(id))
        .build();
  }

  private static Set<ServiceFlag> stream() {
    return EnumSet.of(
        ServiceFlag.GUARANTEED_DELIVERY, ServiceFlag.GUARANTEED_ORDER, ServiceFlag.GRACEFUL_CLOSE);
  }

  private static Set<ServiceFlag> datagram(boolean broadcast) {
    EnumSet<ServiceFlag> flags =
        EnumSet.of(ServiceFlag.CONNECTIONLESS, ServiceFlag.MESSAGE_ORIENTED);
    if (broadcast) {
      flags.add(ServiceFlag.SUPPORT_BROADCAST);
    }
    return flags;
  }
}
