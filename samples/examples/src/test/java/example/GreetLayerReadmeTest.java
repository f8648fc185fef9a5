package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * README "Writing a protocol layer" prints {@code GreetLayer} and its framing test exactly as this
 * module compiles and runs them ({@link GreetLayerFramingTest}, {@link GreetLayerContractTest}).
 */
class GreetLayerReadmeTest {

  @Test void theReadmeShowsGreetLayerAndItsTestAsCompiledAndTheLayerFitsInSixtyLines() throws IOException {
    List<String> blocks = javaBlocks("## Writing a protocol layer");
    assertEquals(2, blocks.size(), "java blocks in the section");
    assertEquals(Files.readString(Path.of("src/main/java/example/GreetLayer.java")), blocks.get(0));
    assertEquals(Files.readString(Path.of("src/test/java/example/GreetLayerFramingTest.java")), blocks.get(1));
    long lines = blocks.get(0).lines().count();
    assertEquals(true, lines <= 60, "GreetLayer is " + lines + " lines");
  }

  /** Returns the {@code ```java} blocks of {@code section}, in order. */
  static List<String> javaBlocks(String section) throws IOException {
    String readme = Files.readString(Path.of("../../README.md"));
    int start = readme.indexOf("\n" + section + "\n");
    int end = readme.indexOf("\n## ", start + 1);
    String text = readme.substring(start, end);
    List<String> out = new ArrayList<>();
    for (int open = text.indexOf("```java\n"); open >= 0; open = text.indexOf("```java\n", open + 1)) {
      int body = open + "```java\n".length();
      out.add(text.substring(body, text.indexOf("```\n", body)));
    }
    return out;
  }
}
