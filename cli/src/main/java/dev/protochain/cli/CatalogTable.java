package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ServiceFlag;
import dev.protochain.runtime.Catalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Formats a catalog for a terminal, one entry a row, in the shape of {@code netsh winsock show
 * catalog}: id, name, kind, chain, family/type/protocol, flags, version, provider id; then the
 * entries' settings, if any.
 */
final class CatalogTable {

  private CatalogTable() {}

  /** Returns {@code 9 entries (6 bases, 1 layer, 2 chains)}. */
  static String summary(Catalog catalog) {
    long bases = catalog.entries().stream().filter(e -> e.kind() == EntryKind.BASE).count();
    long layers = catalog.entries().stream().filter(e -> e.kind() == EntryKind.LAYER).count();
    long chains = catalog.entries().stream().filter(e -> e.kind() == EntryKind.CHAIN).count();
    return count(catalog.entries().size(), "entry", "entries")
        + " ("
        + count(bases, "base", "bases")
        + ", "
        + count(layers, "layer", "layers")
        + ", "
        + count(chains, "chain", "chains")
        + ")";
  }

  /**
   * Returns the lines {@code settings:} and {@code 2001 'trace': level=info}, or nothing if no
   * entry has any.
   */
  static String settings(Catalog catalog) {
    StringBuilder sb = new StringBuilder();
    for (CatalogEntry e : catalog.entries()) {
      if (!e.settings().isEmpty()) {
        sb.append("  ").append(Catalog.label(e)).append(": ").append(settings(e)).append('\n');
      }
    }
    return sb.length() == 0 ? "" : "settings:\n" + sb;
  }

  /** Returns {@code delay=0, threshold=64}. */
  static String settings(CatalogEntry e) {
    return e.settings().entrySet().stream()
        .map(s -> s.getKey() + "=" + s.getValue())
        .collect(Collectors.joining(", "));
  }

  /**
   * Returns what an entry is, for messages: {@code chain trace > tcp4}, {@code base}, {@code
   * layer}.
   */
  static String describe(CatalogEntry e, Catalog catalog) {
    return e.kind() == EntryKind.CHAIN
        ? "chain " + chain(e, catalog)
        : e.kind().name().toLowerCase(Locale.ROOT);
  }

  /** Returns {@code 1 base}, {@code 2 bases}. */
  static String count(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  static String format(Catalog catalog) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "NAME", "KIND", "CHAIN", "SERVES", "FLAGS", "VER", "PROVIDER"});
    for (CatalogEntry e : catalog.entries()) {
      rows.add(
          new String[] {
            Integer.toString(e.id()),
            e.name(),
            e.kind().name().toLowerCase(Locale.ROOT),
            chain(e, catalog),
            e.kind() == EntryKind.LAYER ? "-" : serves(e),
            flags(e),
            Integer.toString(e.version()),
            e.providerId().toString()
          });
    }
    return Columns.format("", rows);
  }

  static String serves(CatalogEntry e) {
    return (e.family() + "/" + e.type() + "/" + e.protocol()).toLowerCase(Locale.ROOT);
  }

  /** Returns {@code trace > coalesce > tcp4} for a chain, {@code -} otherwise. */
  static String chain(CatalogEntry e, Catalog catalog) {
    if (e.kind() != EntryKind.CHAIN) {
      return "-";
    }
    return e.chain().ids().stream()
        .map(id -> catalog.entry(id).map(CatalogEntry::name).orElse("?" + id))
        .collect(Collectors.joining(" > "));
  }

  static String flags(CatalogEntry e) {
    if (e.flags().isEmpty()) {
      return "-";
    }
    return e.flags().stream().map(CatalogTable::shortFlag).collect(Collectors.joining(","));
  }

  private static String shortFlag(ServiceFlag f) {
    switch (f) {
      case CONNECTIONLESS:
        return "connectionless";
      case GUARANTEED_DELIVERY:
        return "delivery";
      case GUARANTEED_ORDER:
        return "order";
      case MESSAGE_ORIENTED:
        return "messages";
      case GRACEFUL_CLOSE:
        return "graceful-close";
      case SUPPORT_BROADCAST:
        return "broadcast";
      default:
        throw new AssertionError(f);
    }
  }

  /** Returns one line per installed plugin: name, version, provider id and the jar's SHA-256. */
  static String plugins(Catalog catalog) {
    StringBuilder sb =
        new StringBuilder("plugins (in the home's plugin store, pinned by SHA-256):\n");
    for (dev.protochain.runtime.PluginRecord p : catalog.plugins()) {
      sb.append("  ")
          .append(p.name())
          .append(' ')
          .append(p.version())
          .append("  provider ")
          .append(p.providerId())
          .append("  plugins/")
          .append(p.file())
          .append('\n');
    }
    return sb.toString();
  }
}
