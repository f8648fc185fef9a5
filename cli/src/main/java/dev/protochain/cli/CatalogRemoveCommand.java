package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.store.CatalogChange;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code protochain catalog remove ID [--cascade]}: removes an entry, refusing to break a chain.
 */
final class CatalogRemoveCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "remove",
          "Remove an entry. An entry that chains name is kept, and the chains listed, unless --cascade"
              + " removes those chains too.");

  private final PositionalParamSpec entry =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter("ID", "The entry to remove, by id or name.")
              .converters(new Ranges.EntryRef()));

  private final OptionSpec cascade =
      CommandSpecs.add(
          spec, CommandSpecs.flag("--cascade", "Remove the chains that name the entry too."));

  CatalogRemoveCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws Exception {
    HomeCatalog store = main.store(spec);
    String entry = this.entry.getValue();
    boolean cascade = CommandSpecs.given(this.cascade);
    List<CatalogEntry> removed = new ArrayList<>();
    CatalogChange change =
        store.update(
            "remove entry " + entry,
            current -> {
              CatalogEntry target = CatalogCommand.entry(current, entry);
              List<CatalogEntry> dependents = current.dependents(target.id());
              if (!dependents.isEmpty() && !cascade) {
                throw new IllegalArgumentException(
                    "removing "
                        + kind(target)
                        + " "
                        + Catalog.label(target)
                        + ": "
                        + (dependents.size() == 1 ? "chain " : "chains ")
                        + Main.labels(dependents)
                        + (dependents.size() == 1 ? " depends" : " depend")
                        + " on it; remove "
                        + (dependents.size() == 1 ? "it" : "them")
                        + " first, or use --cascade");
              }
              removed.clear();
              removed.add(target);
              removed.addAll(dependents);
              return current.remove(target.id(), cascade);
            });
    CatalogEntry target = removed.get(0);
    List<CatalogEntry> chains = removed.subList(1, removed.size());
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "removed "
            + kind(target)
            + " "
            + Catalog.label(target)
            + (chains.isEmpty()
                ? ""
                : " and the "
                    + (chains.size() == 1 ? "chain" : "chains")
                    + " over it: "
                    + Main.labels(chains)));
    Catalog after = change.after().catalog();
    Set<Integer> orphans = new LinkedHashSet<>();
    for (CatalogEntry gone : removed) {
      if (gone.kind() == EntryKind.CHAIN) {
        for (int id : gone.chain().ids()) {
          after
              .entry(id)
              .filter(e -> e.kind() == EntryKind.LAYER && after.dependents(id).isEmpty())
              .ifPresent(e -> orphans.add(id));
        }
      }
    }
    for (int id : orphans) {
      out.println(
          "layer "
              + Catalog.label(after.entry(id).orElseThrow())
              + " is now in no chain; 'protochain catalog"
              + " remove "
              + id
              + "' removes it");
    }
    out.println(CatalogCommand.wrote(store, change));
    out.flush();
    return Main.OK;
  }

  private static String kind(CatalogEntry e) {
    return e.kind().name().toLowerCase(Locale.ROOT);
  }
}
