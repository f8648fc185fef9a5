package dev.protochain.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Wrong agent arguments stop the JVM before {@code main} with one line naming the argument and the
 * fix, and exit code 1; right ones print nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgentStartupIT {

  @TempDir static Path dir;
  static Path home;
  static Path badCatalogHome;

  @BeforeAll
  static void homes() throws Exception {
    home = AgentIT.home(dir, "home", "0");
    badCatalogHome = Files.createDirectories(dir.resolve("bad"));
    Files.writeString(badCatalogHome.resolve("catalog.json"), "{ not json");
  }

  /** A wrong argument, and what the one line on standard error must start with. */
  record Case(String args, String line) {
    @Override
    public String toString() {
      return args;
    }
  }

  static List<Case> wrongArguments() {
    return List.of(
        new Case(
            "colour=red", "protochain-agent: unknown argument 'colour=red' (fix: use home=DIR"),
        new Case(
            "home=" + dir.resolve("missing"),
            "protochain-agent: argument 'home': " + dir.resolve("missing") + " is not a readable"),
        new Case(
            "home=" + home + ",entry=nope",
            "protochain-agent: argument 'entry=nope': the catalog has no such entry"),
        new Case(
            "home=" + home + ",entry=udp4",
            "protochain-agent: argument 'entry=udp4': 1003 'udp4' does not serve TCP streams"),
        new Case(
            "only=10.0.0.0/99",
            "protochain-agent: argument 'only': rule '10.0.0.0/99' has prefix 99"),
        new Case(
            "home=" + badCatalogHome,
            "protochain-agent: the catalog " + badCatalogHome.resolve("catalog.json")));
  }

  @ParameterizedTest
  @MethodSource("wrongArguments")
  void wrongArgumentStopsTheJvmWithOneLine(Case c) throws Exception {
    Result r = java("-javaagent:" + AgentIT.agentJar() + "=" + c.args);
    assertEquals(1, r.exit, r.stderr);
    assertEquals("", r.stdout, "main never ran");
    assertEquals(1, r.stderr.lines().count(), "one line: " + r.stderr);
    assertTrue(r.stderr.startsWith(c.line), r.stderr);
    assertTrue(r.stderr.contains("(fix: "), r.stderr);
  }

  @Test
  void rightArgumentsPrintNothingAndSafeModeSaysSoOnlyWhenVerbose() throws Exception {
    Result quiet = java("-javaagent:" + AgentIT.agentJar() + "=home=" + home);
    assertEquals(0, quiet.exit, quiet.stderr);
    assertEquals("", quiet.stderr);
    assertEquals("hello\n", quiet.stdout);
    Result safe = java("-javaagent:" + AgentIT.agentJar() + "=home=" + home + ",safe-mode");
    assertEquals("", safe.stderr);
    Result verbose =
        java("-javaagent:" + AgentIT.agentJar() + "=home=" + home + ",safe-mode,verbose");
    assertEquals(
        "protochain-agent: safe mode: the agent is loaded and layers no connection",
        verbose.stderr.lines().findFirst().orElse(""));
    assertTrue(
        verbose.stderr.lines().allMatch(l -> l.startsWith("protochain-agent: ")), verbose.stderr);
    assertEquals("hello\n", verbose.stdout);
  }

  record Result(int exit, String stdout, String stderr) {}

  static Result java(String agent) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                agent,
                "-cp",
                System.getProperty("java.class.path"),
                Hello.class.getName())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** The program the agent joins. */
  public static final class Hello {
    private Hello() {}

    public static void main(String[] args) {
      System.out.println("hello");
    }
  }
}
