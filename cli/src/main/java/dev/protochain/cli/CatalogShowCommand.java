package dev.protochain.cli;

import dev.protochain.runtime.store.StoredCatalog;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code protochain catalog show [--json]}: the catalog as a table, or as its file holds it. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = {
      "Show the catalog in selection order: id, name, kind (base, layer or chain), the chain top first,"
          + " family/type/protocol, service flags, version and provider id, then each entry's settings.",
      "The first use of a home creates its catalog with the built-in base entries."
    })
final class CatalogShowCommand implements Callable<Integer> {

  @ParentCommand CatalogCommand catalog;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--json",
      description =
          "Print the catalog as its file holds it: JSON, schema version 1 (secrets masked).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    HomeCatalog store = catalog.main.store(spec);
    StoredCatalog read = store.read();
    StoredCatalog stored =
        new StoredCatalog(
            SecretMask.of(catalog.main.providers(read.catalog())).catalog(read.catalog()),
            read.generation());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.print(stored.toJson());
    } else {
      out.println(
          "catalog "
              + store.file()
              + ", generation "
              + stored.generation()
              + ": "
              + CatalogTable.summary(stored.catalog()));
      out.println();
      out.print(CatalogTable.format(stored.catalog()));
      String settings = CatalogTable.settings(stored.catalog());
      if (!settings.isEmpty()) {
        out.println();
        out.print(settings);
      }
      if (!stored.catalog().plugins().isEmpty()) {
        out.println();
        out.print(CatalogTable.plugins(stored.catalog()));
      }
    }
    out.flush();
    return Main.OK;
  }
}
