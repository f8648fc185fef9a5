package dev.protochain.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * A writer of text for a terminal that escapes the characters a terminal would act on, so that a
 * name or a setting read from a catalog, or an argument quoted in an error, cannot move the cursor,
 * clear the screen, ring the bell, rewrite a line or reverse its direction: C0 controls but tab and
 * line feed, DEL, C1 controls and the bidirectional overrides and isolates are written as {@code
 * \\uXXXX}. That form is also a JSON escape, so JSON written through it stays valid and means the
 * same. Bytes a connection carries never pass here.
 */
final class TerminalWriter extends FilterWriter {

  TerminalWriter(Writer out) {
    super(out);
  }

  /** Returns whether a terminal would act on {@code c} rather than show it. */
  static boolean isControl(char c) {
    return (c < 0x20 && c != '\n' && c != '\t')
        || (c >= 0x7f && c <= 0x9f)
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
  }

  @Override
  public void write(int c) throws IOException {
    if (isControl((char) c)) {
      out.write(String.format("\\u%04X", c));
    } else {
      out.write(c);
    }
  }

  @Override
  public void write(char[] cbuf, int off, int len) throws IOException {
    int start = off;
    for (int i = off; i < off + len; i++) {
      if (isControl(cbuf[i])) {
        out.write(cbuf, start, i - start);
        write(cbuf[i]);
        start = i + 1;
      }
    }
    out.write(cbuf, start, off + len - start);
  }

  @Override
  public void write(String str, int off, int len) throws IOException {
    write(str.toCharArray(), off, len);
  }
}
