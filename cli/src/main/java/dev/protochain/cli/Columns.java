package dev.protochain.cli;

import java.util.List;

/** Lays out rows of text for a terminal: columns two spaces apart, the last one unpadded. */
final class Columns {

  private Columns() {}

  /**
   * Returns {@code rows} one a line, each line after {@code indent}, each column as wide as its
   * widest cell; every row has as many cells as the first.
   */
  static String format(String indent, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder(indent);
      for (int i = 0; i < r.length; i++) {
        line.append(i == 0 ? "" : "  ");
        line.append(r[i]);
        if (i < r.length - 1) {
          line.append(" ".repeat(widths[i] - r[i].length()));
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }
}
