package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.PluginRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Draws a catalog as a Graphviz {@code dot} graph, read from the top down: the chain entries an
 * application selects on the top rank (numbered in selection order with the base entries, {@code
 * #1} asked first), the layers' own entries below them at the depth their chains give them, the
 * base entries on the bottom rank; each chain is a path of edges of one colour, labelled with the
 * chain's id, from the chain entry through its layers to its base. A layer loaded from a plugin jar
 * is drawn dashed and names the plugin's version. Render it with {@code dot -Tsvg}.
 */
final class CatalogDot {

  private static final String[] COLOURS = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"
  };

  private CatalogDot() {}

  /** Returns the graph of {@code catalog}, with {@code title} above it. */
  static String format(Catalog catalog, String title) {
    StringBuilder sb = new StringBuilder("digraph catalog {\n");
    sb.append("  graph [label=")
        .append(quote(title))
        .append(", labelloc=t, fontname=\"Helvetica\", fontsize=12, nodesep=0.3, ranksep=0.6];\n");
    sb.append(
        "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\"];\n");
    sb.append("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.6];\n");
    List<String> chains = new ArrayList<>();
    List<String> layers = new ArrayList<>();
    List<String> bases = new ArrayList<>();
    int selectable = 0;
    for (CatalogEntry e : catalog.entries()) {
      String place = e.isSelectable() ? ", #" + ++selectable : "";
      switch (e.kind()) {
        case CHAIN:
          chains.add(node(e, "chain " + CatalogTable.serves(e) + place, "#fff2cc", ""));
          break;
        case BASE:
          bases.add(node(e, "base " + CatalogTable.serves(e) + place, "#cfe2f3", ""));
          break;
        default:
          Optional<PluginRecord> plugin = catalog.plugin(e.providerId());
          layers.add(
              plugin.isPresent()
                  ? node(
                      e,
                      "plugin layer " + plugin.get().name() + " " + plugin.get().version(),
                      "#fce5cd",
                      ",dashed")
                  : node(e, "layer", "#d9ead3", ""));
      }
    }
    rank(sb, "chain entries, selectable", "min", chains);
    sb.append("  // layers' own entries\n");
    layers.forEach(n -> sb.append("  ").append(n).append('\n'));
    rank(sb, "base entries", "max", bases);
    sb.append("  // each chain, from its entry through its layers to its base\n");
    int colour = 0;
    for (CatalogEntry e : catalog.entries()) {
      if (e.kind() != EntryKind.CHAIN) {
        continue;
      }
      String attributes =
          " [label=\""
              + e.id()
              + "\", color=\""
              + COLOURS[colour % COLOURS.length]
              + "\", fontcolor=\""
              + COLOURS[colour++ % COLOURS.length]
              + "\"];\n";
      String from = id(e.id());
      for (int below : e.chain().ids()) {
        if (catalog.entry(below).isEmpty()) {
          sb.append("  ").append(id(below)).append(" [label=\"").append(below);
          sb.append("\\nmissing\", color=red, fontcolor=red, fillcolor=white];\n");
        }
        sb.append("  ").append(from).append(" -> ").append(id(below)).append(attributes);
        from = id(below);
      }
    }
    return sb.append("}\n").toString();
  }

  private static void rank(StringBuilder sb, String comment, String rank, List<String> nodes) {
    sb.append("  // ").append(comment).append('\n');
    if (nodes.isEmpty()) {
      return;
    }
    sb.append("  { rank=").append(rank).append(";\n");
    nodes.forEach(n -> sb.append("    ").append(n).append('\n'));
    sb.append("  }\n");
  }

  /** Returns {@code e1001 [label="1001 tcp4\nbase inet/stream/tcp, #4", ...];}. */
  private static String node(CatalogEntry e, String what, String fill, String style) {
    return id(e.id())
        + " [label="
        + quote(e.id() + " " + e.name() + "\n" + what)
        + ", tooltip="
        + quote("provider " + e.providerId() + ", version " + e.version())
        + ", fillcolor=\""
        + fill
        + "\""
        + (style.isEmpty() ? "" : ", style=\"rounded,filled" + style + "\"")
        + "];";
  }

  private static String id(int entryId) {
    return "e" + entryId;
  }

  /**
   * Returns {@code text} as a dot string: quoted, with quotes, backslashes and newlines escaped.
   */
  static String quote(String text) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c < ' ') {
        sb.append(' ');
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
