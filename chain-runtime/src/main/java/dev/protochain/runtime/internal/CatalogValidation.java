package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogProblem;
import dev.protochain.runtime.ProviderSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a catalog: what the catalog alone tells ({@link Catalog#problems()}), then what its
 * providers tell ({@link Catalog#problems(ProviderSource)}), through {@link Compatibility}.
 */
public final class CatalogValidation {

  private CatalogValidation() {}

  /** See {@link Catalog#problems()}. */
  public static List<CatalogProblem> problems(Catalog catalog) {
    List<CatalogProblem> problems = new ArrayList<>();
    Map<Integer, CatalogEntry> byId = new HashMap<>();
    Map<String, CatalogEntry> byName = new LinkedHashMap<>();
    for (CatalogEntry e : catalog.entries()) {
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
    for (CatalogEntry e : catalog.entries()) {
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

  /** See {@link Catalog#problems(ProviderSource)}. */
  public static List<CatalogProblem> problems(Catalog catalog, ProviderSource providers) {
    List<CatalogProblem> problems = new ArrayList<>(problems(catalog));
    Map<Integer, ProviderDescriptor> described = new HashMap<>();
    for (CatalogEntry e : catalog.entries()) {
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
      problems.addAll(Compatibility.files(e, p));
    }
    for (CatalogEntry e : catalog.entries()) {
      if (e.kind() != EntryKind.CHAIN || e.chain().length() < 2) {
        continue;
      }
      Optional<CatalogEntry> base = catalog.entry(e.chain().baseId());
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

  private static CatalogProblem problem(CatalogProblem.Kind kind, String message, Integer... ids) {
    return new CatalogProblem(kind, message, List.of(ids));
  }
}
