package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.store.CatalogChange;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code protochain catalog}: shows and edits the catalog of the protochain home, the project's
 * {@code netsh winsock}. Every edit is written atomically under the catalog lock and keeps the
 * previous catalog as the backup.
 */
final class CatalogCommand implements Runnable {

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "catalog",
          "Show, edit, check and repair the catalog in the protochain home.",
          "Edits are written atomically under a lock; the previous catalog is kept as the backup.");

  /** The subcommands, in the order the help lists them; {@link Main#commands} adds them. */
  static final List<String> SUBCOMMANDS =
      List.of(
          "show", "install", "remove", "order", "reset", "restore", "verify", "explain", "layers");

  /** Returns the model of a new subcommand named {@code name}, one of {@link #SUBCOMMANDS}. */
  static CommandSpec subcommand(String name, Main main) {
    switch (name) {
      case "show":
        return new CatalogShowCommand(main).spec;
      case "install":
        return new CatalogInstallCommand(main).spec;
      case "remove":
        return new CatalogRemoveCommand(main).spec;
      case "order":
        return new CatalogOrderCommand(main).spec;
      case "reset":
        return new CatalogResetCommand(main).spec;
      case "restore":
        return new CatalogRestoreCommand(main).spec;
      case "verify":
        return new CatalogVerifyCommand(main).spec;
      case "explain":
        return new CatalogExplainCommand(main).spec;
      case "layers":
        return new CatalogLayersCommand(main).spec;
      default:
        throw new IllegalArgumentException(name);
    }
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "name a subcommand: "
            + String.join(", ", SUBCOMMANDS.subList(0, SUBCOMMANDS.size() - 1))
            + " or "
            + SUBCOMMANDS.get(SUBCOMMANDS.size() - 1));
  }

  /**
   * Returns the entry {@code ref} names, an id or a name.
   *
   * @throws IllegalArgumentException if there is no such entry
   */
  static CatalogEntry entry(Catalog catalog, String ref) {
    String r = ref.trim();
    if (Ranges.isId(r)) {
      int id = Ranges.id(r);
      return catalog
          .entry(id)
          .orElseThrow(() -> new IllegalArgumentException("there is no entry " + id));
    }
    return catalog
        .entry(r)
        .orElseThrow(() -> new IllegalArgumentException("there is no entry named '" + r + "'"));
  }

  /** Returns the ids of the entries {@code refs} name, ids or names; see {@link #entry}. */
  static List<Integer> ids(Catalog catalog, List<String> refs) {
    List<Integer> ids = new ArrayList<>();
    for (String ref : refs) {
      String r = ref.trim();
      ids.add(Ranges.isId(r) ? Ranges.id(r) : entry(catalog, r).id());
    }
    return ids;
  }

  /**
   * Returns {@code wrote generation 3 of FILE; the backup (catalog.json.bak) holds generation 2},
   * or what else the change did to the files.
   */
  static String wrote(HomeCatalog store, CatalogChange change) {
    StringBuilder sb =
        new StringBuilder("wrote generation ")
            .append(change.after().generation())
            .append(" of ")
            .append(store.file());
    if (change.unreadableCopy().isPresent()) {
      sb.append("; the unreadable catalog is kept in ")
          .append(change.unreadableCopy().get())
          .append(" and the backup is unchanged");
    } else if (change.before().isPresent()) {
      sb.append("; the backup (")
          .append(store.backupFile().getFileName())
          .append(") holds generation ")
          .append(change.before().get().generation());
    }
    return sb.toString();
  }
}
