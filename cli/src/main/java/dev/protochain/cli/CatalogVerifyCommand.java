package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.runtime.CatalogInvalidException;
import dev.protochain.runtime.CatalogProblem;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.StartupCheck;
import dev.protochain.runtime.store.StoredCatalog;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code protochain catalog verify}: every problem of the catalog, or that it is sound. */
final class CatalogVerifyCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "verify",
          "Check the catalog file and the catalog: that it parses, that every chain names existing"
              + " entries, ends in a base and is at most 7 long, that every provider is on the class path and is of"
              + " the right kind, accepts its entry's settings and finds below it the services it requires, that every"
              + " file a setting names exists, and that every base and chain entry starts with its settings.",
          "Exit 0 when sound; otherwise every problem is listed and the exit code is 1.");

  private final CheckTimeout checkTimeout = new CheckTimeout(spec);

  CatalogVerifyCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws Exception {
    HomeCatalog store = main.store(spec);
    PrintWriter out = spec.commandLine().getOut();
    StoredCatalog stored;
    try {
      stored = store.read();
    } catch (CatalogInvalidException e) {
      out.println(e.getMessage());
      throw e;
    }
    ProviderSource providers = main.providers(stored.catalog());
    List<CatalogProblem> problems = stored.catalog().problems(providers);
    if (problems.isEmpty()) {
      problems =
          StartupCheck.of(main.home().plugins(), checkTimeout.duration())
              .problems(
                  stored.catalog(),
                  stored.catalog().entries().stream().filter(CatalogEntry::isSelectable).toList());
    }
    if (!problems.isEmpty()) {
      CatalogInvalidException e =
          new CatalogInvalidException(
              store.file() + ", generation " + stored.generation(), problems);
      out.println(e.getMessage());
      throw e;
    }
    out.println(
        store.file()
            + ", generation "
            + stored.generation()
            + ": sound; "
            + CatalogTable.summary(stored.catalog())
            + ", every provider found on the class path"
            + (stored.catalog().plugins().isEmpty()
                ? ""
                : " or in the plugin store "
                    + main.home().plugins().directory()
                    + " (digests checked)"));
    out.flush();
    return Main.OK;
  }
}
