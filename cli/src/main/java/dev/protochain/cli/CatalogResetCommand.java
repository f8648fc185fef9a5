package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.store.CatalogChange;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code protochain catalog reset}: back to the built-in base entries [{@code netsh winsock
 * reset}].
 */
final class CatalogResetCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "reset",
          "Reset the catalog to the built-in base entries, removing every layer and chain.",
          "The catalog replaced becomes the backup ('catalog restore' brings it back); an unreadable catalog is"
              + " kept in catalog.json.unreadable and the backup is left as it is.");

  CatalogResetCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws Exception {
    HomeCatalog store = main.store(spec);
    CatalogChange change = store.reset();
    PrintWriter out = spec.commandLine().getOut();
    out.print(
        "reset the catalog to the built-in base entries "
            + Main.labels(Catalog.builtin().entries()));
    if (change.before().isPresent()) {
      List<CatalogEntry> removed =
          change.before().get().catalog().entries().stream()
              .filter(e -> !Catalog.builtin().entries().contains(e))
              .toList();
      out.print(
          removed.isEmpty() ? "; nothing else was in it" : "; removed " + Main.labels(removed));
    }
    out.println();
    out.println(CatalogCommand.wrote(store, change));
    out.flush();
    return Main.OK;
  }
}
