package dev.protochain.runtime.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static dev.protochain.runtime.Catalog.label;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogProblem;
import dev.protochain.runtime.Installation;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.Selection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The catalog's editing operations that do more than add or drop one entry: installing a layer,
 * removing an entry with its dependents, ordering. Each returns a new catalog, or says why not.
 */
public final class CatalogEditing {

  /** Ids of entries a catalog install assigns start here for layers... */
  static final int FIRST_LAYER_ID = 2001;

  /** ... and here for chains. */
  static final int FIRST_CHAIN_ID = 3001;

  private CatalogEditing() {}

  /** See {@link Catalog#installLayer(String, UUID, Map, List)}. */
  public static Installation installLayer(
      Catalog catalog,
      String name,
      UUID providerId,
      Map<String, String> settings,
      List<Integer> targets) {
    checkArgument(!targets.isEmpty(), "installing layer '%s': no entry to install it over", name);
    checkArgument(
        catalog.entry(name).isEmpty(),
        "installing layer '%s': an entry with that name exists already",
        name);
    List<CatalogEntry> over = new ArrayList<>();
    for (int id : targets) {
      CatalogEntry target =
          catalog
              .entry(id)
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
          "installing layer '%s': %s is a layer's own entry; install over a base or a chain",
          name,
          target);
      over.add(target);
    }
    CatalogEntry layer = layerEntry(catalog, name, providerId, settings, over.get(0));
    Catalog result = catalog.with(layer);
    List<Installation.Chain> chains = new ArrayList<>();
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
          servingAs(target)
              .id(nextId(result, FIRST_CHAIN_ID))
              .name(chainName)
              .providerId(providerId)
              .chain(ProtocolChain.of(ids))
              .build();
      result = result.withBefore(chain, target.id());
      chains.add(new Installation.Chain(chain, target));
    }
    return new Installation(result, layer, chains, List.of());
  }

  /** See {@link Catalog#install(ProviderDescriptor, Map, List)}. */
  public static Installation install(
      Catalog catalog, ProviderDescriptor layer, Map<String, String> given, List<Integer> targets) {
    Map<String, String> settings = Compatibility.resolvePaths(layer, given);
    List<String> refusals = new ArrayList<>();
    Optional<CatalogEntry> first =
        targets.stream().map(catalog::entry).flatMap(Optional::stream).findFirst();
    if (first.isPresent()) { // with no target, the install is refused for that alone
      CatalogEntry own = layerEntry(catalog, layer.name(), layer.id(), settings, first.get());
      List<CatalogProblem> problems = new ArrayList<>();
      Compatibility.kind(own, layer).ifPresent(problems::add);
      problems.addAll(Compatibility.settings(own, layer));
      problems.addAll(Compatibility.files(own, layer));
      problems.forEach(p -> refusals.add(Compatibility.clause(p)));
    }
    for (int id : targets) {
      Optional<CatalogEntry> target = catalog.entry(id);
      if (target.isEmpty()) {
        refusals.add("no entry " + id + " to install it over");
      } else {
        refusal(catalog, layer, target.get())
            .ifPresent(why -> refusals.add(label(target.get()) + ": " + why));
      }
    }
    checkArgument(
        refusals.isEmpty(), "installing layer '%s': %s", layer.name(), String.join("; ", refusals));
    return installLayer(catalog, layer.name(), layer.id(), settings, targets);
  }

  /** See {@link Catalog#installEverywhere(ProviderDescriptor, Map)}. */
  public static Installation installEverywhere(
      Catalog catalog, ProviderDescriptor layer, Map<String, String> settings) {
    List<Integer> over = new ArrayList<>();
    List<Selection.PassedOver> passed = new ArrayList<>();
    for (CatalogEntry e : catalog.entries()) {
      if (e.isSelectable()) {
        Optional<String> refusal = refusal(catalog, layer, e);
        if (refusal.isPresent()) {
          passed.add(new Selection.PassedOver(e, refusal.get()));
        } else {
          over.add(e.id());
        }
      }
    }
    checkArgument(
        !over.isEmpty(),
        "installing layer '%s': it can go over no entry of the catalog (%s)",
        layer.name(),
        passed.stream()
            .map(p -> "passed over " + label(p.entry()) + ": " + p.reason())
            .collect(Collectors.joining("; ")));
    Installation done = install(catalog, layer, settings, over);
    return new Installation(done.catalog(), done.layer(), done.chains(), passed);
  }

  /** See {@link Catalog#installRefusal(ProviderDescriptor, CatalogEntry)}. */
  public static Optional<String> refusal(
      Catalog catalog, ProviderDescriptor layer, CatalogEntry target) {
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
    CatalogEntry base = catalog.entry(target.chain().baseId()).orElse(target);
    return Compatibility.missingServices(layer, base);
  }

  /** See {@link Catalog#remove(int, boolean)}. */
  public static Catalog remove(Catalog catalog, int id, boolean cascade) {
    CatalogEntry entry =
        catalog
            .entry(id)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "removing entry " + id + ": there is no such entry"));
    List<CatalogEntry> dependents = catalog.dependents(id);
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
    List<CatalogEntry> out = new ArrayList<>(catalog.entries());
    out.removeIf(e -> gone.contains(e.id()));
    // A plugin whose provider no entry names any more goes too; its jar stays in the store.
    List<PluginRecord> kept = new ArrayList<>(catalog.plugins());
    kept.removeIf(p -> out.stream().noneMatch(e -> e.providerId().equals(p.providerId())));
    return Catalog.of(out, kept);
  }

  /** See {@link Catalog#order(List)}. */
  public static Catalog order(Catalog catalog, List<Integer> ids) {
    List<String> problems = new ArrayList<>();
    List<CatalogEntry> ordered = new ArrayList<>();
    Set<Integer> named = new HashSet<>();
    for (int id : ids) {
      Optional<CatalogEntry> e = catalog.entry(id);
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
    for (CatalogEntry e : catalog.entries()) {
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
    return Catalog.of(ordered, catalog.plugins());
  }

  private static CatalogEntry layerEntry(
      Catalog catalog,
      String name,
      UUID providerId,
      Map<String, String> settings,
      CatalogEntry first) {
    return servingAs(first)
        .id(nextId(catalog, FIRST_LAYER_ID))
        .name(name)
        .providerId(providerId)
        .chain(ProtocolChain.layer())
        .settings(settings)
        .build();
  }

  /** Returns a builder serving what {@code model} serves, with its flags and version. */
  private static CatalogEntry.Builder servingAs(CatalogEntry model) {
    return CatalogEntry.builder()
        .serves(model.family(), model.type(), model.protocol())
        .flags(model.flags())
        .version(model.version());
  }

  private static String labels(List<CatalogEntry> entries) {
    return entries.stream().map(Catalog::label).collect(Collectors.joining(", "));
  }

  /** Returns the smallest id of no entry of {@code catalog} at or above {@code from}. */
  private static int nextId(Catalog catalog, int from) {
    Set<Integer> used =
        catalog.entries().stream().map(CatalogEntry::id).collect(Collectors.toSet());
    int id = from;
    while (used.contains(id)) {
      id++;
    }
    return id;
  }
}
