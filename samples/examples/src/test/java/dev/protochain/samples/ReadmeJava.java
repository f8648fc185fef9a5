package dev.protochain.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code ```java} blocks of the root README.md, each with the line of its opening fence, the
 * section it sits in, its text without the indentation of a list item it sits in, and its fragment
 * marker if it has one.
 *
 * <p>The convention: a block is a whole compilation unit (a class, with its package and imports)
 * unless the line just before its fence is an HTML comment starting {@code <!-- fragment}; then it
 * is the body of a method, and the comment says what surrounds it, in clauses separated by {@code
 * ;}:
 *
 * <ul>
 *   <li>{@code given: int port, byte[] bytes, void serve(ChainSocket c)}: the variables the
 *       fragment uses without declaring them (the method's parameters), and methods it calls
 *       (abstract methods beside it);
 *   <li>{@code imports: okhttp3.OkHttpClient, java.sql.*}: imports beyond the ones every fragment
 *       gets, {@link ReadmeCodeTest#FRAGMENT_IMPORTS};
 *   <li>{@code jdk: 21}: the lowest JDK whose library it uses.
 * </ul>
 *
 * The comment does not show on the rendered page; a reader sees a fragment, and the test knows what
 * it takes to compile it.
 */
final class ReadmeJava {

  static final Path README = Path.of("../../README.md");

  private static final String FRAGMENT = "<!-- fragment";

  private ReadmeJava() {}

  /**
   * One block: {@code line} is the 1-based line of its opening fence; {@code marker} the text of
   * its fragment comment between {@code <!-- fragment} and {@code -->}.
   */
  record Block(int line, String section, String text, Optional<String> marker) {}

  static List<Block> blocks() throws IOException {
    List<String> lines = Files.readAllLines(README);
    List<Block> blocks = new ArrayList<>();
    String section = "";
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("## ")) {
        section = line;
      }
      if (!line.strip().equals("```java")) {
        continue;
      }
      int fence = i;
      int indent = line.indexOf('`');
      StringBuilder text = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
        String body = lines.get(i);
        text.append(body.length() >= indent ? body.substring(indent) : body.strip()).append('\n');
      }
      if (i == lines.size()) {
        throw new AssertionError("README.md line " + (fence + 1) + ": a ```java block never ends");
      }
      String before = fence > 0 ? lines.get(fence - 1).strip() : "";
      Optional<String> marker =
          before.startsWith(FRAGMENT) && before.endsWith("-->")
              ? Optional.of(before.substring(FRAGMENT.length(), before.length() - 3).strip())
              : Optional.empty();
      blocks.add(new Block(fence + 1, section, text.toString(), marker));
    }
    return blocks;
  }
}
