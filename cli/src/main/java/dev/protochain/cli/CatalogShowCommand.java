package dev.protochain.cli;

import dev.protochain.runtime.store.StoredCatalog;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code protochain catalog show [--format table|json|dot] [--json]}: the catalog as a table, as
 * its file holds it, or as a Graphviz graph.
 */
final class CatalogShowCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "show",
          "Show the catalog in selection order: id, name, kind (base, layer or chain), the chain top"
              + " first, family/type/protocol, service flags, version and provider id, then each"
              + " entry's settings.",
          "The first use of a home creates its catalog with the built-in base entries.",
          "--format dot draws it for Graphviz: chain entries on top, layers below, bases at the"
              + " bottom, each chain a path of edges; render it with: protochain catalog show"
              + " --format dot | dot -Tsvg > catalog.svg");

  private final OptionSpec format =
      CommandSpecs.add(
          spec,
          CommandSpecs.option(
                  "--format",
                  "table|json|dot",
                  "table (the default), json (as --json) or dot: a Graphviz graph of the entries and"
                      + " their chains.")
              .type(Format.class)
              .converters(new FormatConverter()));

  private final OptionSpec json =
      CommandSpecs.add(
          spec,
          CommandSpecs.flag(
              "--json",
              "Print the catalog as its file holds it: JSON, schema version 1 (secrets masked)."));

  CatalogShowCommand(Main main) {
    this.main = main;
  }

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

  @Override
  public Integer call() throws Exception {
    boolean json = CommandSpecs.given(this.json);
    Format format = this.format.getValue();
    if (json && format != null && format != Format.JSON) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--json and --format " + format.name().toLowerCase(Locale.ROOT) + ": give one of them");
    }
    HomeCatalog store = main.store(spec);
    StoredCatalog read = store.read();
    StoredCatalog stored =
        new StoredCatalog(
            SecretMask.of(main.providers(read.catalog())).catalog(read.catalog()),
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
