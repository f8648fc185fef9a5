package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code protochain run} without an agent: the agent's arguments, the quoting of {@code
 * JAVA_TOOL_OPTIONS} as the JVM reads it, the lookup of the jar and the exit code of the command.
 * What the agent does with them is {@code RunAgentIT}'s.
 */
class RunCommandTest {

  @TempDir Path dir;

  @AfterEach
  void forgetTheJar() {
    System.clearProperty(AgentLaunch.JAR_PROPERTY);
  }

  @Test
  void theAgentArgumentsAreKeyValuePairsWithRulesSeparatedBySemicolons() {
    Path home = dir.resolve("home");
    assertEquals(
        "home=" + home.toAbsolutePath(),
        AgentLaunch.agentArguments(
            home, Optional.empty(), List.of(), List.of(), Optional.empty(), List.of()));
    assertEquals(
        "home="
            + home.toAbsolutePath()
            + ",entry=metrics-tcp4,only=10.0.0.0/8;192.0.2.7:443;*:22,except=127.0.0.1:5432"
            + ",report="
            + dir.resolve("r.txt").toAbsolutePath()
            + ",safe-mode,no-follow,platform-threads,verbose",
        AgentLaunch.agentArguments(
            home,
            Optional.of("metrics-tcp4"),
            List.of("10.0.0.0/8,192.0.2.7:443", "*:22"),
            List.of(" 127.0.0.1:5432; "),
            Optional.of(dir.resolve("r.txt")),
            List.of("safe-mode", "no-follow", "platform-threads", "verbose")));
  }

  @Test
  void aValueWithACommaIsRefusedForTheAgentCouldNotTellItFromASeparator() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AgentLaunch.agentArguments(
                    dir.resolve("a,b"),
                    Optional.empty(),
                    List.of(),
                    List.of(),
                    Optional.empty(),
                    List.of()));
    assertTrue(e.getMessage().startsWith("--home '"), e.getMessage());
  }

  @Test
  void theAgentGoesAheadOfTheUsersToolOptionsQuotedWhenItHoldsSpaces() {
    assertEquals(
        "-javaagent:/a/agent.jar=home=/h -Xmx64m",
        AgentLaunch.javaToolOptions(Path.of("/a/agent.jar"), "home=/h", Optional.of("-Xmx64m")));
    assertEquals(
        "\"-javaagent:/my jars/agent.jar=home=/my home\"",
        AgentLaunch.javaToolOptions(
            Path.of("/my jars/agent.jar"), "home=/my home", Optional.of(" ")));
    assertEquals("'-Dx=say \"hi\"'", AgentLaunch.quote("-Dx=say \"hi\""));
    assertEquals("'-Dx=a\"b'", AgentLaunch.quote("-Dx=a\"b"));
    assertThrows(IllegalArgumentException.class, () -> AgentLaunch.quote("-Dx='a' \"b\""));
  }

  /** The JVM itself reads the quoted words back as they were. */
  @Test
  void aJvmReadsTheQuotedOptionsBackWhole() throws Exception {
    String options =
        AgentLaunch.quote("-Dprotochain.a=one two")
            + " "
            + AgentLaunch.quote("-Dprotochain.b=say \"hi\" ")
            + " -Dprotochain.c=three";
    ProcessBuilder withOptions =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XshowSettings:properties",
                "-version")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out").toFile());
    withOptions.environment().put(AgentLaunch.TOOL_OPTIONS, options);
    Process p = withOptions.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = Files.readString(dir.resolve("out"), StandardCharsets.UTF_8);
    assertTrue(out.contains("protochain.a = one two\n"), out);
    assertTrue(out.contains("protochain.b = say \"hi\" \n"), out);
    assertTrue(out.contains("protochain.c = three\n"), out);
  }

  @Test
  void aMissingAgentJarIsOneLineNamingWhereItLookedAndTheFix() {
    System.setProperty(AgentLaunch.JAR_PROPERTY, dir.resolve("none.jar").toString());
    Cli.Run r = new Cli(dir.resolve("home")).run("run", "--", "true");
    assertEquals(1, r.code(), r.toString());
    assertEquals(1, r.err().lines().count(), r.toString());
    assertTrue(
        r.err().startsWith("protochain run: no agent jar at " + dir.resolve("none.jar")),
        r.toString());
  }

  @Test
  void theCommandGetsTheAgentInJavaToolOptionsAndItsExitCodeIsTheRunsOwn() throws Exception {
    Captured c =
        runCapturing(
            Map.of(), List.of("--except", "127.0.0.1"), "; exit 7", "--not-an-option-of-run");
    assertEquals(7, c.run().code(), c.run().toString());
    assertEquals(
        "-javaagent:" + c.jar() + "=home=" + c.home() + ",except=127.0.0.1", c.toolOptions());
  }

  @Test
  void theFlagOptionsBecomeTheAgentsFlagsInItsOrder() throws Exception {
    Captured c =
        runCapturing(Map.of(), List.of("--platform-threads", "--no-follow", "--safe-mode"), "");
    assertEquals(0, c.run().code(), c.run().toString());
    assertEquals(
        "-javaagent:" + c.jar() + "=home=" + c.home() + ",safe-mode,no-follow,platform-threads",
        c.toolOptions());
  }

  @Test
  void theUsersToolOptionsFollowTheAgent() throws Exception {
    Captured c = runCapturing(Map.of(AgentLaunch.TOOL_OPTIONS, "-Xmx64m"), List.of(), "");
    assertEquals(0, c.run().code(), c.run().toString());
    assertEquals("-javaagent:" + c.jar() + "=home=" + c.home() + " -Xmx64m", c.toolOptions());
  }

  /**
   * A run, the agent jar and home it was given, and the {@code JAVA_TOOL_OPTIONS} its command saw.
   */
  private record Captured(Cli.Run run, Path jar, Path home, String toolOptions) {}

  /**
   * Runs {@code protochain run OPTIONS -- sh -c 'printf %s "$JAVA_TOOL_OPTIONS" > FILE SHELL'
   * TRAILING...} in {@code environment}, with an (empty) agent jar of its own.
   */
  private Captured runCapturing(
      Map<String, String> environment, List<String> options, String shell, String... trailing)
      throws IOException {
    Path jar = Files.createFile(dir.resolve("protochain-agent.jar"));
    System.setProperty(AgentLaunch.JAR_PROPERTY, jar.toString());
    Path seen = dir.resolve("seen");
    Path home = dir.resolve("home");
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(options);
    args.addAll(
        List.of("--", "sh", "-c", "printf %s \"$JAVA_TOOL_OPTIONS\" > '" + seen + "'" + shell));
    args.addAll(Arrays.asList(trailing));
    Cli.Run r = new Cli(home).run(environment, args.toArray(String[]::new));
    String toolOptions = Files.exists(seen) ? Files.readString(seen, StandardCharsets.UTF_8) : "";
    return new Captured(r, jar, home, toolOptions);
  }
}
