package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command prints nothing on standard error when it succeeds, on JDK 17 and on JDK 25 (where
 * Guice 7 would warn about {@code sun.misc.Unsafe} unless {@code LauncherDefaults} turned its
 * bytecode generation off).
 */
class LauncherStderrTest {

  @TempDir Path dir;

  @Test
  void catalogShowPrintsNothingOnStandardErrorOnThisJdk() throws Exception {
    assertQuiet(Path.of(System.getProperty("java.home"), "bin", "java"));
  }

  @Test
  void catalogShowPrintsNothingOnStandardErrorOnJdk25() throws Exception {
    assertQuiet(Jdks.java25());
  }

  private void assertQuiet(Path java) throws Exception {
    Path home = dir.resolve("home");
    new Cli(home).ok("catalog", "show"); // the first use notes on stderr that it made the catalog
    List<String> command = new ArrayList<>(Cli.childCommand(home, "catalog", "show"));
    command.set(0, java.toString());
    Path err = dir.resolve("stderr");
    Process p =
        new ProcessBuilder(command)
            .redirectError(err.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "catalog show did not end");
    assertEquals(0, p.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
    assertEquals("", Files.readString(err, StandardCharsets.UTF_8), java + " printed on stderr");
  }
}
