package dev.protochain.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java compiles as printed: every {@code ```java} block of README.md, compiled with
 * the JDK's compiler against this module's test class path (the runtime, the layers, the bases, the
 * testkit, OkHttp, the PostgreSQL driver), with no diagnostic at all. A whole class compiles as it
 * is; a fragment compiles as the body of a method whose surroundings its marker comment states (the
 * convention is on {@link ReadmeJava}).
 *
 * <p>And the README's provider code is the code this module compiles and tests, so the two cannot
 * drift: "Writing a layer" shows {@code example/XorLayer.java}, "Writing a base" shows {@code
 * example/NioTcpBase.java} and its contract test.
 */
class ReadmeCodeTest {

  /** The imports every fragment gets: the application's API and the JDK's networking. */
  static final List<String> FRAGMENT_IMPORTS =
      List.of(
          "dev.protochain.api.*",
          "dev.protochain.runtime.*",
          "java.io.*",
          "java.net.*",
          "java.nio.*",
          "java.util.*",
          "java.util.concurrent.*");

  private static final Pattern PUBLIC_TYPE =
      Pattern.compile(
          "^public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*"
              + "(?:class|interface|enum|record|@interface)\\s+(\\w+)",
          Pattern.MULTILINE);

  @TempDir Path classes;

  /* ---- every block compiles ---- */

  @TestFactory
  Stream<DynamicTest> everyJavaBlockCompiles() throws IOException {
    List<ReadmeJava.Block> blocks = ReadmeJava.blocks();
    assertFalse(blocks.isEmpty(), "README.md has ```java blocks");
    return blocks.stream()
        .map(
            b ->
                DynamicTest.dynamicTest(
                    "README.md line " + b.line() + " (" + b.section() + ")", () -> compile(b)));
  }

  @Test
  void aFragmentCompilesAsAMethodBodyWithWhatItsMarkerGives() {
    ReadmeJava.Block block =
        new ReadmeJava.Block(
            10,
            "## Test",
            "serve(ChainSocket.class.getName().length() + port);\n",
            java.util.Optional.of("; given: int port, void serve(int n); imports: java.time.*"));
    Source source = source(block);
    assertEquals(
        "package readme;\n"
            + "import dev.protochain.api.*;\n"
            + "import dev.protochain.runtime.*;\n"
            + "import java.io.*;\n"
            + "import java.net.*;\n"
            + "import java.nio.*;\n"
            + "import java.util.*;\n"
            + "import java.util.concurrent.*;\n"
            + "import java.time.*;\n"
            + "abstract class Line10 {\n"
            + "  abstract void serve(int n);\n"
            + "  void run(int port) throws Exception {\n"
            + "serve(ChainSocket.class.getName().length() + port);\n"
            + "  }\n"
            + "}\n",
        source.text());
    assertEquals(List.of(), compile(source), "diagnostics");
    assertEquals(
        List.of("README.md line 11: error: cannot find symbol"),
        compile(source(new ReadmeJava.Block(10, "## Test", "undefined();\n", block.marker())))
            .stream()
            .map(d -> d.replaceAll("(?s)(error: cannot find symbol).*", "$1"))
            .toList());
  }

  private void compile(ReadmeJava.Block block) throws IOException {
    Source source = source(block);
    Assumptions.assumeTrue(
        Runtime.version().feature() >= source.jdk(),
        "README.md line " + block.line() + " uses the library of JDK " + source.jdk());
    List<String> diagnostics = compile(source);
    assertTrue(
        diagnostics.isEmpty(),
        String.join("\n", diagnostics) + "\n\ncompiled as:\n" + source.text());
  }

  /** What is compiled for a block: its text, or the class around a fragment. */
  record Source(int readmeLine, String name, String text, int header, int jdk) {}

  static Source source(ReadmeJava.Block block) {
    if (block.marker().isEmpty()) {
      Matcher m = PUBLIC_TYPE.matcher(block.text());
      String name = m.find() ? m.group(1) : "Line" + block.line();
      return new Source(block.line(), name, block.text(), 0, 17);
    }
    List<String> given = new ArrayList<>();
    List<String> imports = new ArrayList<>(FRAGMENT_IMPORTS);
    int jdk = 17;
    for (String clause : block.marker().orElseThrow().split(";", -1)) {
      String c = clause.strip();
      if (c.startsWith("given:")) {
        given.addAll(items(c.substring("given:".length())));
      } else if (c.startsWith("imports:")) {
        imports.addAll(items(c.substring("imports:".length())));
      } else if (c.startsWith("jdk:")) {
        jdk = Integer.parseInt(c.substring("jdk:".length()).strip());
      } else if (!c.isEmpty()) {
        throw new AssertionError(
            "README.md line " + (block.line() - 1) + ": unknown fragment clause '" + c + "'");
      }
    }
    String name = "Line" + block.line();
    StringBuilder text = new StringBuilder("package readme;\n");
    imports.forEach(i -> text.append("import ").append(i).append(";\n"));
    text.append("abstract class ").append(name).append(" {\n");
    given.stream()
        .filter(g -> g.contains("("))
        .forEach(g -> text.append("  abstract ").append(g).append(";\n"));
    text.append("  void run(")
        .append(given.stream().filter(g -> !g.contains("(")).collect(Collectors.joining(", ")))
        .append(") throws Exception {\n");
    int header = (int) text.chars().filter(ch -> ch == '\n').count();
    text.append(block.text()).append("  }\n}\n");
    return new Source(block.line(), name, text.toString(), header, jdk);
  }

  /** Splits a comma-separated list, except inside angle brackets and parentheses. */
  private static List<String> items(String list) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    StringBuilder item = new StringBuilder();
    for (int i = 0; i < list.length(); i++) {
      char ch = list.charAt(i);
      depth += (ch == '<' || ch == '(') ? 1 : (ch == '>' || ch == ')') ? -1 : 0;
      if (ch == ',' && depth == 0) {
        out.add(item.toString().strip());
        item.setLength(0);
      } else {
        item.append(ch);
      }
    }
    if (!item.toString().isBlank()) {
      out.add(item.toString().strip());
    }
    return out;
  }

  /** Compiles one source; returns its diagnostics, each naming its README.md line. */
  private List<String> compile(Source source) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaFileObject file =
        new SimpleJavaFileObject(
            URI.create("string:///" + source.name() + ".java"), JavaFileObject.Kind.SOURCE) {
          @Override
          public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return source.text();
          }
        };
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, Locale.ROOT, null)) {
      javac
          .getTask(
              null,
              files,
              diagnostics,
              List.of("-d", classes.toString(), "-classpath", classPath, "-proc:none"),
              null,
              List.of(file))
          .call();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    List<String> out = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      long line = source.readmeLine() + d.getLineNumber() - source.header();
      out.add(
          "README.md line "
              + line
              + ": "
              + d.getKind().toString().toLowerCase(Locale.ROOT)
              + ": "
              + d.getMessage(Locale.ROOT));
    }
    return out;
  }

  /* ---- the provider code shown is the code compiled and tested here ---- */

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

  /** Returns the first {@code ```java} block of {@code section} containing {@code marker}. */
  private static String javaBlock(String section, String marker) throws IOException {
    return ReadmeJava.blocks().stream()
        .filter(b -> b.section().equals(section) && b.text().contains(marker))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "README.md section '"
                        + section
                        + "' has no ```java block with '"
                        + marker
                        + "'"))
        .text();
  }
}
