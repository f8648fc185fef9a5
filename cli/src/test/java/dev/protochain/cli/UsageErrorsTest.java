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

  /* ---- paths ---- */

  @Test
  void aPathThatCannotBeIsAUsageErrorInPicocliWords() throws Exception {
    // The commands' own path converter (picocli's is not registered) keeps picocli's text.
    assertUsage(
        "protochain catalog reset: Invalid value for option '--home': cannot convert 'a\\u0000b'"
            + " to interface java.nio.file.Path (java.nio.file.InvalidPathException: Nul character"
            + " not allowed: a\\u0000b) (see 'protochain catalog reset --help')",
        "catalog",
        "reset",
        "--home",
        "a\u0000b");
  }

  /* ---- numbers out of range ---- */

  static final String ID_RANGE =
      " is not an entry id (expected: an id from 1 to 2147483647, or a name)";

  @Test
  void anIdPastTheLongRangeIsAUsageError() throws Exception {
    assertUsage(
        "protochain catalog remove: Invalid value for positional parameter at index 0 (ID):"
            + " '99999999999999'"
            + ID_RANGE
            + " (see 'protochain catalog remove --help')",
        "catalog",
        "remove",
        "99999999999999");
  }

  @Test
  void anIdOfTwoToTheThirtyFirstIsAUsageError() throws Exception {
    assertUsage(
        "protochain catalog remove: Invalid value for positional parameter at index 0 (ID):"
            + " '2147483648'"
            + ID_RANGE
            + " (see 'protochain catalog remove --help')",
        "catalog",
        "remove",
        "2147483648");
  }

  @Test
  void anEntryOptionOutOfRangeIsAUsageError() throws Exception {
    assertUsage(
        "protochain connect: Invalid value for option '--entry': '99999999999'"
            + ID_RANGE
            + " (see 'protochain connect --help')",
        "connect",
        "--entry",
        "99999999999",
        "127.0.0.1",
        "7");
  }

  @Test
  void anIdOutOfRangeInAListIsAUsageError() throws Exception {
    assertUsage(
        "protochain catalog order: Invalid value for positional parameter at index 0..* (ID,ID,...):"
            + " '99999999999'"
            + ID_RANGE
            + " (see 'protochain catalog order --help')",
        "catalog",
        "order",
        "1001,99999999999");
    assertUsage(
        "protochain catalog install: Invalid value for option '--over' (ID): '0'"
            + ID_RANGE
            + " (see 'protochain catalog install --help')",
        "catalog",
        "install",
        "--layer",
        "coalesce",
        "--over",
        "0");
  }

  @Test
  void aPortOutOfRangeIsAUsageErrorNamingTheRange() throws Exception {
    assertUsage(
        "protochain connect: Invalid value for positional parameter at index 1 (PORT):"
            + " '99999999999' is not a port (expected: 1 to 65535) (see 'protochain connect --help')",
        "connect",
        "127.0.0.1",
        "99999999999");
    assertUsage(
        "protochain listen: Invalid value for positional parameter at index 0 (PORT):"
            + " '65536' is not a port (expected: 0 to 65535) (see 'protochain listen --help')",
        "listen",
        "65536");
  }

  @Test
  void aByteCountOutOfRangeIsAUsageErrorNamingTheRange() throws Exception {
    assertUsage(
        "protochain demo: Invalid value for option '--bytes': '-1' is not a byte count (expected: 0"
            + " to 67108864) (see 'protochain demo --help')",
        "demo",
        "--bytes",
        "-1");
  }

  @Test
  void aByteCountPastWhatTheDemoMayHoldIsAUsageError() throws Exception {
    // Found by CommandLineFuzzTest: 2^31 bytes ended in OutOfMemoryError.
    assertUsage(
        "protochain demo: Invalid value for option '--bytes': '2147483648' is not a byte count"
            + " (expected: 0 to 67108864) (see 'protochain demo --help')",
        "demo",
        "--bytes",
        "2147483648");
  }
}
