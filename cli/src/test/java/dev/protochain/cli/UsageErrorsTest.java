package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage errors exit 2 with one line naming the option or parameter, the value and what is allowed,
 * and change nothing.
 */
class UsageErrorsTest {

  @TempDir Path home;

  Cli cli;

  byte[] before;

  @BeforeEach
  void catalog() throws Exception {
    cli = new Cli(home);
    cli.ok("catalog", "install", "--layer", "trace", "--over", "tcp4");
    before = Files.readAllBytes(home.resolve("catalog.json"));
  }

  private void assertUsage(String err, String... args) throws Exception {
    Cli.Run r = cli.run(args);
    assertEquals(2, r.code(), r.toString());
    assertEquals(err + "\n", r.err());
    assertEquals("", r.stdout());
    assertArrayEquals(before, Files.readAllBytes(home.resolve("catalog.json")));
  }

  /* ---- durations: one syntax, that of settings ---- */

  @Test
  void aLockWaitWithoutAUnitIsRefused() throws Exception {
    assertUsage(
        "protochain: Invalid value for option '--lock-wait': '5' has no unit (expected: a whole"
            + " number and a unit: 250ms, 30s, 2m or 1h; or 0) (see 'protochain --help')",
        "--lock-wait",
        "5",
        "catalog",
        "reset");
  }

  @Test
  void aLockWaitTooLongIsAUsageErrorNamingTheLongest() throws Exception {
    assertUsage(
        "protochain: Invalid value for option '--lock-wait': '9999999999999999m' is too long"
            + " (expected: at most 2562047h, about 292 years) (see 'protochain --help')",
        "--lock-wait",
        "9999999999999999m",
        "catalog",
        "reset");
  }
}
