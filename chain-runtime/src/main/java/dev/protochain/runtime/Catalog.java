package dev.protochain.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.Iterables;
import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.Protocol;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.internal.BuiltinBases;
import dev.protochain.runtime.internal.CatalogEditing;
import dev.protochain.runtime.internal.CatalogValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  private final ImmutableList<CatalogEntry> entries;
  private final ImmutableList<PluginRecord> plugins;

  private Catalog(ImmutableList<CatalogEntry> entries, ImmutableList<PluginRecord> plugins) {
    this.entries = entries;
    this.plugins = plugins;
  }

  /**
   * Returns the built-in catalog: the base entries the base providers on the class path declare
   * ({@link dev.protochain.api.spi.ProviderInfo#entries()}), in the order of their ids. With {@code
   * protochain-base-provider}, a dependency of this artifact, they are {@code tcp4} (1001), {@code
   * tcp6} (1002), {@code udp4} (1003), {@code udp6} (1004), {@code mem-stream} (1005) and {@code
   * mem-dgram} (1006). A catalog reset returns to it.
   */
  public static Catalog builtin() {
    return BuiltinBases.catalog();
  }

  /** Returns a catalog of {@code entries} in their order, valid or not. */
  public static Catalog of(List<CatalogEntry> entries) {
    return of(entries, List.of());
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

  /** Returns the first base or chain entry serving (family, type, protocol): {@link #explain}. */
  public Optional<CatalogEntry> select(
      AddressFamily family, SocketType type, Protocol protocol, boolean safeMode) {
    return explain(family, type, protocol, safeMode).entry();
  }

  /** Returns the bases and chains carrying TCP (INET or INET6, STREAM), the one rule of it. */
  public List<CatalogEntry> tcpStreamEntries() {
    return entries.stream().filter(Catalog::carriesTcp).toList();
  }

  private static boolean carriesTcp(CatalogEntry e) {
    return e.isSelectable()
        && (e.serves(AddressFamily.INET, SocketType.STREAM, Protocol.TCP)
            || e.serves(AddressFamily.INET6, SocketType.STREAM, Protocol.TCP));
  }

  /** Returns the entry (family, type, protocol) selects, and why the others were passed over. */
  public Selection explain(
      AddressFamily family, SocketType type, Protocol protocol, boolean safeMode) {
    return Selection.of(entries, family, type, protocol, safeMode);
  }

  /**
   * Returns the entries of {@code entry}'s chain, top first, or the entry alone for a base.
   *
   * @throws IllegalArgumentException for a layer's own entry, or a chain naming a missing entry
   */
  public List<CatalogEntry> resolve(CatalogEntry entry) {
    checkArgument(
        entry.kind() != EntryKind.LAYER, "%s is a layer's own entry; it has no chain", entry);
    List<CatalogEntry> levels = new ArrayList<>(entry.chain().length());
    for (int id : entry.chain().ids()) {
      Optional<CatalogEntry> e = id == entry.id() ? Optional.of(entry) : entry(id);
      checkArgument(e.isPresent(), "%s names entry %s, which does not exist", entry, id);
      levels.add(e.get());
    }
    return levels;
  }

  /** Returns the chains whose chain names {@code entryId}, other than the entry itself. */
  public List<CatalogEntry> dependents(int entryId) {
    return entries.stream()
        .filter(e -> e.id() != entryId && e.kind() == EntryKind.CHAIN)
        .filter(e -> e.chain().contains(entryId))
        .toList();
  }

  /** Returns a catalog with {@code entry} appended, or replacing the entry with its id in place. */
  public Catalog with(CatalogEntry entry) {
    int at = indexOf(entry.id());
    List<CatalogEntry> out = new ArrayList<>(entries);
    if (at < 0) {
      out.add(entry);
    } else {
      out.set(at, entry);
    }
    return of(out, plugins);
  }

  /** Returns a catalog with {@code entry} inserted just before the entry with {@code beforeId}. */
  public Catalog withBefore(CatalogEntry entry, int beforeId) {
    int at = indexOf(beforeId);
    checkArgument(at >= 0, "no entry %s to insert %s before", beforeId, entry);
    List<CatalogEntry> out = new ArrayList<>(entries);
    out.add(at, entry);
    return of(out, plugins);
  }

  private int indexOf(int id) {
    return Iterables.indexOf(entries, e -> e.id() == id);
  }

  /**
   * Returns a catalog with a layer installed, unchecked against its provider: its own entry
   * (appended, id from 2001) and over each target a chain {@code <layer>-<target>} (id from 3001)
   * placed just before the target. A chain grown too long shows in {@link #problems()}.
   *
   * @throws IllegalArgumentException if a name is taken or a target is missing or not selectable
   */
  public Catalog installLayer(
      String name, UUID providerId, Map<String, String> settings, List<Integer> targets) {
    return CatalogEditing.installLayer(this, name, providerId, settings, targets).catalog();
  }

  /**
   * Installs the layer {@code layer} over {@code targets} [Winsock's {@code WSCInstallProvider} of
   * an LSP], as {@link #installLayer(String, UUID, Map, List)} does, after checking what that
   * method cannot know: the provider is a layer, it declares every key of {@code settings}, each
   * file a path setting names exists (stored absolute), and it may go over each target ({@link
   * #installRefusal}). The layer entry is named after the provider.
   *
   * @throws IllegalArgumentException naming every problem at once
   */
  public Installation install(
      ProviderDescriptor layer, Map<String, String> settings, List<Integer> targets) {
    return CatalogEditing.install(this, layer, settings, targets);
  }

  /** Installs {@code layer} as {@link #install} does over every base and chain it may go over. */
  public Installation installEverywhere(ProviderDescriptor layer, Map<String, String> settings) {
    return CatalogEditing.installEverywhere(this, layer, settings);
  }

  /**
   * Returns why {@code layer} may not go over {@code target}, or empty if it may: the target must
   * be a base or a chain of this catalog, the chain it would make must be at most {@link
   * ProtocolChain#MAX_LENGTH} long, and the target's base must provide every service the layer
   * {@linkplain ProviderDescriptor#requiresBelow() requires below it}.
   */
  public Optional<String> installRefusal(ProviderDescriptor layer, CatalogEntry target) {
    return CatalogEditing.refusal(this, layer, target);
  }

  /**
   * Returns a catalog without the entry {@code id} [Winsock's {@code WSCDeinstallProvider}]; with
   * {@code cascade}, the chains naming it go too (but not their layers' own entries). The record of
   * a plugin whose provider no entry names any more is dropped (its jar stays in the store).
   *
   * @throws IllegalArgumentException if there is no such entry, or chains name it and {@code
   *     cascade} is false; the message lists those chains
   */
  public Catalog remove(int id, boolean cascade) {
    return CatalogEditing.remove(this, id, cascade);
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
    return CatalogEditing.order(this, ids);
  }

  /** Returns a catalog without the entry {@code id} (and nothing else: chains naming it break). */
  public Catalog without(int id) {
    return of(entries.stream().filter(e -> e.id() != id).toList(), plugins);
  }

  /**
   * Returns every problem of this catalog, in catalog order; empty if it is valid. The checks:
   * unique ids and names; a base entry's chain names itself; a chain is at most {@link
   * ProtocolChain#MAX_LENGTH} long, names only existing entries, names neither itself nor another
   * chain nor any entry twice, holds layers' own entries above a base entry, and serves what its
   * base serves.
   */
  public List<CatalogProblem> problems() {
    return CatalogValidation.problems(this);
  }

  /**
   * Returns every problem of this catalog, as {@link #problems()} does, and then what only the
   * providers can tell, for each entry in catalog order: its provider is in {@code providers} and
   * usable; it is a layer for a layer's own entry and a base for a base entry; it accepts every
   * setting of the entry; and for each chain, every layer's {@linkplain
   * ProviderDescriptor#requiresBelow() required services} are provided by the chain's base.
   */
  public List<CatalogProblem> problems(ProviderSource providers) {
    return CatalogValidation.problems(this, providers);
  }

  /**
   * Throws every problem at once if there is any.
   *
   * @param where what the catalog is, for the message: a file name, or {@code catalog}
   * @throws CatalogInvalidException listing every problem
   */
  public Catalog checkValid(String where) throws CatalogInvalidException {
    List<CatalogProblem> problems = problems();
    if (problems.isEmpty()) {
      return this;
    }
    throw new CatalogInvalidException(where, problems);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Catalog c && entries.equals(c.entries) && plugins.equals(c.plugins);
  }

  @Override
  public int hashCode() {
    return entries.hashCode() * 31 + plugins.hashCode();
  }

  /** Returns {@code Catalog[1001 tcp4, 2001 trace, ...]}. */
  @Override
  public String toString() {
    return entries.stream()
        .map(e -> e.id() + " " + e.name())
        .collect(Collectors.joining(", ", "Catalog[", "]"));
  }

  /** Returns {@code 1001 'tcp4'}: an entry's id and name, as messages name entries. */
  public static String label(CatalogEntry e) {
    return e.id() + " '" + e.name() + "'";
  }
}
