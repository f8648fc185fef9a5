package dev.protochain.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's provider code is the code this module compiles and tests, so the two cannot drift:
 * "Writing a layer" shows {@code example/XorLayer.java}, "Writing a base" shows {@code
 * example/NioTcpBase.java} and its contract test.
 */
class ReadmeCodeTest {

  private static final Path README = Path.of("../../README.md");

  @Test
  void writingALayerShowsXorLayerAsCompiled() throws IOException {
    assertEquals(
        source("src/main/java/example/XorLayer.java"),
        javaBlock("## Writing a layer", "class XorLayer"));
  }

  @Test
  void writingABaseShowsNioTcpBaseAsCompiled() throws IOException {
    assertEquals(
        source("src/main/java/example/NioTcpBase.java"),
        javaBlock("## Writing a base", "public final class NioTcpBase "));
  }

  @Test
  void writingABaseShowsItsContractTestAsCompiled() throws IOException {
    assertEquals(
        source("src/test/java/example/NioTcpBaseContractTest.java"),
        javaBlock("## Writing a base", "class NioTcpBaseContractTest"));
  }

  private static String source(String path) throws IOException {
    return Files.readString(Path.of(path));
  }

  /**
   * Returns the first {@code ```java} block of {@code section} containing {@code marker}, without
   * the indentation of the list item it sits in.
   */
  private static String javaBlock(String section, String marker) throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("\n" + section + "\n");
    int end = readme.indexOf("\n## ", start + 1);
    String text = readme.substring(start, end < 0 ? readme.length() : end);
    int from = 0;
    while (true) {
      int open = text.indexOf("```java\n", from);
      if (open < 0) {
        throw new AssertionError(
            "README.md section '" + section + "' has no ```java block with '" + marker + "'");
      }
      int indent = open - text.lastIndexOf('\n', open) - 1;
      int body = open + "```java\n".length();
      int close = text.indexOf("\n" + " ".repeat(indent) + "```\n", body - 1);
      String block = text.substring(body, close + 1);
      if (block.contains(marker)) {
        return block
            .lines()
            .map(line -> line.length() >= indent ? line.substring(indent) : line.strip())
            .collect(Collectors.joining("\n", "", "\n"));
      }
      from = close + 1;
    }
  }
}
