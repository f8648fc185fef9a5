package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An error is one line on standard error in a real process, where the runtime's SLF4J logging goes
 * too: the log and the stack trace appear only with {@code --verbose}.
 */
class OneLineErrorsTest {

  static final String REFUSED_DELAY =
      "protochain catalog install: installing layer 'coalesce': entry 3001 'coalesce-tcp4' (chain"
          + " [2001, 1001]) does not start: provider 'coalesce' (entry 2001) failed to"
          + " load: java.lang.IllegalArgumentException: setting 'delay' of entry 2001 'coalesce'"
          + " (layer) = 'abc' is not a duration (expected: a whole number and a unit: 250ms, 30s, 2m or 1h; or 0); nothing was installed";

  @TempDir Path home;

  @BeforeEach
  void createHome() {
    new Cli(home).ok("catalog", "show");
  }

  @Test
  @Timeout(60)
  void aSettingRefusedAtInstallIsOneLine() throws Exception {
    Result r =
        child("catalog", "install", "--layer", "coalesce", "--over", "tcp4", "--set", "delay=abc");
    assertEquals(1, r.code, r.err);
    assertEquals(REFUSED_DELAY + "\n", r.err);
  }

  @Test
  @Timeout(60)
  void withVerboseTheLogAndTheStackTraceFollow() throws Exception {
    Result r =
        child(
            "--verbose",
            "catalog",
            "install",
            "--layer",
            "coalesce",
            "--over",
            "tcp4",
            "--set",
            "delay=abc");
    assertEquals(1, r.code, r.err);
    assertTrue(
        r.err.contains(
            "WARN dev.protochain.runtime.internal.RealChainRuntime - runtime 'install-check':"
                + " FAILURE coalesce (entry 2001): load\n"),
        r.err);
    assertTrue(r.err.contains(REFUSED_DELAY + "\n"), r.err);
    assertTrue(
        r.err.contains("\tat dev.protochain.runtime.StartupCheck.checkInstall(StartupCheck"),
        r.err);
  }

  @Test
  @Timeout(60)
  void aChainThatFailsToLoadIsOneLine() throws Exception {
    new Cli(home)
        .ok("catalog", "install", "--layer", "coalesce", "--over", "tcp4", "--set", "delay=5ms");
    Path file = home.resolve("catalog.json");
    String json = Files.readString(file);
    // Edited by hand: the layer's entry gets a delay it cannot read.
    Files.writeString(file, json.replace("\"delay\": \"5ms\"", "\"delay\": \"abc\""));
    assertTrue(Files.readString(file).contains("\"delay\": \"abc\""), json);
    try (ServerSocket server = new ServerSocket(0)) {
      Result r =
          child("connect", "--entry", "3001", "127.0.0.1", String.valueOf(server.getLocalPort()));
      assertEquals(1, r.code, r.err);
      assertEquals(
          "protochain connect: provider 'coalesce' (entry 2001) failed to load:"
              + " java.lang.IllegalArgumentException: setting 'delay' of entry 2001 'coalesce'"
              + " (layer) = 'abc' is not a duration (expected: a whole number and a unit: 250ms, 30s, 2m or 1h; or 0)\n",
          r.err);
    }
  }

  record Result(int code, String err) {}

  private Result child(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(Cli.childCommand(home, args));
    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    p.getOutputStream().close();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(50, TimeUnit.SECONDS));
    return new Result(p.exitValue(), err);
  }
}
