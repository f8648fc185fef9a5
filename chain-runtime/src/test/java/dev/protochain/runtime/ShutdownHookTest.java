package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Clause 9: a runtime left open at JVM exit is cleaned up once, by its shutdown hook. */
class ShutdownHookTest {

  @Test
  @Timeout(60)
  void aJvmExitingWithoutCleanupIsCleanedUpOnceByTheHook(@TempDir Path dir) throws Exception {
    Path events = dir.resolve("events.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ShutdownHookMain.class.getName(),
                events.toString(),
                "trace-mem-dgram")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    assertEquals(true, child.waitFor(50, TimeUnit.SECONDS), "child did not exit");
    assertEquals(0, child.exitValue(), Files.readString(dir.resolve("child.log")));

    List<String> lines = Files.readAllLines(events, StandardCharsets.UTF_8);
    assertEquals(
        List.of(
            "LOAD trace 0",
            "STARTUP trace 1",
            "LOAD mem-dgram 0",
            "STARTUP mem-dgram 1",
            "STARTUP trace 2",
            "STARTUP mem-dgram 2",
            "CLEANUP trace 1",
            "CLEANUP mem-dgram 1",
            "CLEANUP trace 0",
            "UNLOAD trace 0",
            "CLEANUP mem-dgram 0",
            "UNLOAD mem-dgram 0"),
        lines);
  }
}
