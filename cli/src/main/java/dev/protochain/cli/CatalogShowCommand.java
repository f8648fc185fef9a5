package dev.protochain.cli;

import dev.protochain.runtime.store.StoredCatalog;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code protochain catalog show [--format table|json|dot] [--json]}: the catalog as a table, as
 * its file holds it, or as a Graphviz graph.
 */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = {
      "Show the catalog in selection order: id, name, kind (base, layer or chain), the chain top first,"
          + " family/type/protocol, service flags, version and provider id, then each entry's settings.",
      "The first use of a home creates its catalog with the built-in base entries.",
      "--format dot draws it for Graphviz: chain entries on top, layers below, bases at the bottom,"
          + " each chain a path of edges; render it with: protochain catalog show --format dot | dot"
          + " -Tsvg > catalog.svg"
    })
final class CatalogShowCommand implements Callable<Integer> {

  @ParentCommand CatalogCommand catalog;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** What {@code --format} takes. */
  enum Format {
    TABLE,
    JSON,
    DOT
  }

  /** Takes {@code table}, {@code json} or {@code dot}, in any case. */
  static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
    @Override
    public Format convert(String text) {
      for (Format f : Format.values()) {
        if (f.name().equalsIgnoreCase(text.trim())) {
          return f;
        }
      }
      throw new CommandLine.TypeConversionException(
          "'" + text + "' is not a format (expected: table, json or dot)");
    }
  }

  @Option(
      names = "--format",
      paramLabel = "table|json|dot",
      converter = FormatConverter.class,
      description =
          "table (the default), json (as --json) or dot: a Graphviz graph of the entries and"
              + " their chains.")
  Format format;

  @Option(
      names = "--json",
      description =
          "Print the catalog as its file holds it: JSON, schema version 1 (secrets masked).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (json && format != null && format != Format.JSON) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--json and --format " + format.name().toLowerCase(Locale.ROOT) + ": give one of them");
    }
    HomeCatalog store = catalog.main.store(spec);
    StoredCatalog read = store.read();
    StoredCatalog stored =
        new StoredCatalog(
            SecretMask.of(catalog.main.providers(read.catalog())).catalog(read.catalog()),
            read.generation());
    Format chosen = json ? Format.JSON : format == null ? Format.TABLE : format;
    PrintWriter out = spec.commandLine().getOut();
    String generation =
        "generation " + stored.generation() + ": " + CatalogTable.summary(stored.catalog());
    if (chosen == Format.JSON) {
      out.print(stored.toJson());
    } else if (chosen == Format.DOT) {
      // No path in the picture: it is for showing, and the same for every home.
      out.print(CatalogDot.format(stored.catalog(), "protochain catalog, " + generation));
    } else {
      out.println("catalog " + store.file() + ", " + generation);
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
