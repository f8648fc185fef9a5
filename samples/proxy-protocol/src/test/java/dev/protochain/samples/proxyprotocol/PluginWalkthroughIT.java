package dev.protochain.samples.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.runtime.PluginStore;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample plugin installed and run with real processes: the jar this module built is installed
 * with {@code protochain catalog install --plugin} into a temporary home, bytes cross
 * [proxy-protocol, tcp4] both ways between {@code protochain listen} and {@code protochain
 * connect}, each of which proves the plugin unloaded ({@code --check-unload}); and a jar changed
 * after install is refused, naming the file and both digests.
 */
class PluginWalkthroughIT {

  @TempDir Path dir;

  static Path pluginJar() {
    Path jar = Path.of(System.getProperty("protochain.plugin.jar"));
    assertTrue(Files.isRegularFile(jar), "the build made " + jar);
    return jar;
  }

  /** The command line in a child JVM, on the test class path without this module's own classes. */
  static List<String> protochain(Path home, String... args) {
    String own = Path.of("target").toAbsolutePath().toString();
    String classpath =
        List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
            .filter(e -> !Path.of(e).toAbsolutePath().toString().startsWith(own))
            .collect(Collectors.joining(File.pathSeparator));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classpath,
                "dev.protochain.cli.Main",
                "--home",
                home.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  record Run(int code, String out, String err) {}

  Run run(Path home, String... args) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p =
        new ProcessBuilder(protochain(home, args))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    assertTrue(
        p.waitFor(60, TimeUnit.SECONDS), "protochain " + String.join(" ", args) + " did not end");
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  @Timeout(180)
  void installRunAndProveTheUnloadOfTheSamplePlugin() throws Exception {
    Path home = dir.resolve("home");
    Path jar = pluginJar();
    String sha = PluginStore.sha256(jar);

    Run install = run(home, "catalog", "install", "--plugin", jar.toString(), "--over", "tcp4");
    assertEquals(0, install.code(), install.toString());
    Path stored = home.resolve("plugins").resolve(sha + ".jar").toAbsolutePath();
    List<String> lines = install.out().lines().toList();
    assertEquals(
        "stored plugin jar " + jar + " as " + stored + " (sha-256 " + sha + ")", lines.get(0));
    assertEquals(
        "installed layer 'proxy-protocol' 1.0.0 from the plugin as entry 2001 and chain 3001"
            + " 'proxy-protocol-tcp4' (before 1001 'tcp4')",
        lines.get(1));

    Run verify = run(home, "catalog", "verify");
    assertEquals(0, verify.code(), verify.toString());
    assertTrue(
        verify
            .out()
            .endsWith(
                "or in the plugin store "
                    + home.resolve("plugins").toAbsolutePath()
                    + " (digests checked)\n"),
        verify.out());

    byte[] up = random(200_000, 1);
    byte[] down = random(150_000, 2);
    Files.write(dir.resolve("listen.in"), down);
    Files.write(dir.resolve("connect.in"), up);
    Process listen =
        new ProcessBuilder(
                protochain(
                    home,
                    "listen",
                    "--entry",
                    "proxy-protocol-tcp4",
                    "--check-unload",
                    "--bind",
                    "127.0.0.1",
                    "0"))
            .redirectInput(dir.resolve("listen.in").toFile())
            .redirectOutput(dir.resolve("listen.out").toFile())
            .start();
    Process connect = null;
    try {
      BufferedReader listenErr =
          new BufferedReader(
              new InputStreamReader(listen.getErrorStream(), StandardCharsets.UTF_8));
      String listening = listenErr.readLine();
      Matcher m =
          Pattern.compile("protochain listen: listening on 127\\.0\\.0\\.1 port (\\d+) over .*")
              .matcher(listening);
      assertTrue(m.matches(), listening);
      connect =
          new ProcessBuilder(
                  protochain(
                      home,
                      "connect",
                      "--entry",
                      "proxy-protocol-tcp4",
                      "--check-unload",
                      "127.0.0.1",
                      m.group(1)))
              .redirectInput(dir.resolve("connect.in").toFile())
              .redirectOutput(dir.resolve("connect.out").toFile())
              .redirectError(dir.resolve("connect.err").toFile())
              .start();
      assertTrue(connect.waitFor(90, TimeUnit.SECONDS), "connect did not end");
      assertTrue(listen.waitFor(90, TimeUnit.SECONDS), "listen did not end");
      List<String> listenLog = new ArrayList<>();
      listenLog.add(listening);
      listenErr.lines().forEach(listenLog::add);
      String connectLog = Files.readString(dir.resolve("connect.err"));
      assertEquals(0, connect.exitValue(), connectLog);
      assertEquals(0, listen.exitValue(), String.join("\n", listenLog));

      assertArrayEquals(up, Files.readAllBytes(dir.resolve("listen.out")));
      assertArrayEquals(down, Files.readAllBytes(dir.resolve("connect.out")));
      String verified = "unload verified: 1 plugin class loader collected after ";
      assertTrue(
          listenLog.stream()
              .anyMatch(
                  l ->
                      l.startsWith("protochain listen: " + verified)
                          && l.endsWith(
                              ", no descriptor open on a plugin jar, no plugin thread left")),
          String.join("\n", listenLog));
      assertTrue(
          connectLog.lines().anyMatch(l -> l.startsWith("protochain connect: " + verified)),
          connectLog);
    } finally {
      listen.destroyForcibly();
      if (connect != null) {
        connect.destroyForcibly();
      }
    }

    // A jar changed after install is refused at load, naming the file and both digests.
    Files.write(stored, new byte[] {0}, StandardOpenOption.APPEND);
    String changed = PluginStore.sha256(stored);
    Run refused = run(home, "connect", "--entry", "proxy-protocol-tcp4", "127.0.0.1", "9");
    assertEquals(1, refused.code(), refused.toString());
    assertTrue(
        refused
            .err()
            .contains(
                "plugin jar "
                    + stored
                    + " of plugin 'proxy-protocol' 1.0.0 ("
                    + "5c588703-53c3-4d57-9355-4c8f4eae5db7) has SHA-256 "
                    + changed
                    + ", but "
                    + sha
                    + " was recorded at install"),
        refused.err());
    Run unsound = run(home, "catalog", "verify");
    assertEquals(1, unsound.code(), unsound.toString());
    assertTrue(
        unsound
            .out()
            .contains("has SHA-256 " + changed + ", but " + sha + " was recorded at install"),
        unsound.out());
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
