package dev.protochain.cli;

import dev.protochain.runtime.store.CatalogChange;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code protochain catalog restore}: puts the backup back. */
final class CatalogRestoreCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "restore",
          "Put the backup (the catalog before the last change) back as the catalog, even over an"
              + " unreadable one.",
          "The catalog replaced becomes the backup, so a second restore undoes the first; an unreadable catalog is"
              + " kept in catalog.json.unreadable and the backup is left as it is.");

  CatalogRestoreCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws Exception {
    HomeCatalog store = main.store(spec);
    CatalogChange change = store.restore();
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "restored the backup "
            + store.backupFile()
            + ": "
            + CatalogTable.summary(change.after().catalog()));
    out.println(CatalogCommand.wrote(store, change));
    out.flush();
    return Main.OK;
  }
}
