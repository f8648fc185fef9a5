package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.runtime.store.CatalogChange;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code protochain catalog order ID,ID,...}: rewrites the selection order [{@code
 * WSCWriteProviderOrder}].
 */
final class CatalogOrderCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "order",
          "Rewrite the order in which applications' requests select entries: name every base and chain"
              + " entry once, first choice first. Layers' own entries, which applications never select, follow in"
              + " their present order.");

  private final PositionalParamSpec order =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter(
                  "ID,ID,...", "Every base and chain entry, by id or name, in the new order.")
              .type(List.class)
              .auxiliaryTypes(String.class)
              .splitRegex(",")
              .arity("1..*")
              .converters(new Ranges.EntryRef()));

  CatalogOrderCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws Exception {
    HomeCatalog store = main.store(spec);
    List<String> order = this.order.getValue();
    CatalogChange change =
        store.update(
            "order the catalog", current -> current.order(CatalogCommand.ids(current, order)));
    List<CatalogEntry> entries = change.after().catalog().entries();
    List<CatalogEntry> selectable = entries.stream().filter(CatalogEntry::isSelectable).toList();
    List<CatalogEntry> layers = entries.stream().filter(e -> !e.isSelectable()).toList();
    PrintWriter out = spec.commandLine().getOut();
    if (!change.written()) {
      out.println(
          "the catalog is in that order already (generation "
              + change.after().generation()
              + "); nothing"
              + " written");
    } else {
      out.println(
          "ordered the catalog: "
              + Main.labels(selectable)
              + (layers.isEmpty() ? "" : "; then the layers' own entries " + Main.labels(layers)));
      out.println(CatalogCommand.wrote(store, change));
    }
    out.flush();
    return Main.OK;
  }
}
