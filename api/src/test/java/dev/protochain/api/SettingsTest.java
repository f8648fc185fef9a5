package dev.protochain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  final Settings settings =
      Settings.of(
          "entry 2002 'coalesce'",
          Map.of(
              "threshold", "8192", "delay", "250ms", "slow", "2m", "flag", "TRUE", "bad", "abc"));

  @Test
  void typedValuesParse() {
    assertEquals(8192, settings.getInt("threshold", 1, 65536));
    assertEquals(Duration.ofMillis(250), settings.getDuration("delay"));
    assertEquals(Duration.ofMinutes(2), settings.getDuration("slow"));
    assertEquals(true, settings.getBoolean("flag"));
  }

  @Test
  void badValuesNameTheSettingTheValueAndTheOwner() {
    assertEquals(
        "setting 'bad' of entry 2002 'coalesce' = 'abc' is not a whole number",
        assertThrows(IllegalArgumentException.class, () -> settings.getLong("bad")).getMessage());
    assertEquals(
        "setting 'threshold' of entry 2002 'coalesce' = 8192 is out of range (expected: 1 to 100)",
        assertThrows(IllegalArgumentException.class, () -> settings.getInt("threshold", 1, 100))
            .getMessage());
    assertEquals(
        "setting 'bad' of entry 2002 'coalesce' = 'abc' is not true or false",
        assertThrows(IllegalArgumentException.class, () -> settings.getBoolean("bad"))
            .getMessage());
    assertEquals(
        "setting 'bad' of entry 2002 'coalesce' = 'abc' is not a duration (expected: a whole number"
            + " and a unit: 250ms, 30s, 2m or 1h; or 0)",
        assertThrows(IllegalArgumentException.class, () -> settings.getDuration("bad"))
            .getMessage());
    assertEquals(
        "setting 'nope' of entry 2002 'coalesce' is required but not set",
        assertThrows(IllegalArgumentException.class, () -> settings.getString("nope"))
            .getMessage());
    assertEquals(
        "setting 'nope' of entry 2002 'coalesce' is required but not set",
        assertThrows(IllegalArgumentException.class, () -> settings.getDuration("nope"))
            .getMessage());
  }

  /* ---- one duration syntax, for settings and for the command line ---- */

  @Test
  void aDurationIsAWholeNumberAndAUnitOrZero() {
    assertEquals(Duration.ofMillis(250), Settings.parseDuration("250ms"));
    assertEquals(Duration.ofSeconds(30), Settings.parseDuration(" 30S "));
    assertEquals(Duration.ofMinutes(2), Settings.parseDuration("2m"));
    assertEquals(Duration.ofHours(1), Settings.parseDuration("1h"));
    assertEquals(Duration.ZERO, Settings.parseDuration("0"));
    assertEquals(Duration.ZERO, Settings.parseDuration("0s"));
  }

  @Test
  void aBareNumberIsRefusedRatherThanGuessedAsMillisecondsOrSeconds() {
    Settings bare = Settings.of("entry 2001 'coalesce'", Map.of("delay", "250"));
    assertEquals(
        "setting 'delay' of entry 2001 'coalesce' = '250' has no unit (expected: a whole number and a"
            + " unit: 250ms, 30s, 2m or 1h; or 0)",
        assertThrows(IllegalArgumentException.class, () -> bare.getDuration("delay")).getMessage());
  }

  @Test
  void negativeAndOverlongDurationsAreRefusedWithTheRange() {
    assertEquals(
        "'-5s' is negative (expected: 0 or more)",
        assertThrows(IllegalArgumentException.class, () -> Settings.parseDuration("-5s"))
            .getMessage());
    assertEquals(
        "'9999999999999999m' is too long (expected: at most 2562047h, about 292 years)",
        assertThrows(
                IllegalArgumentException.class, () -> Settings.parseDuration("9999999999999999m"))
            .getMessage());
    assertEquals(
        "'99999999999999999999ms' is too long (expected: at most 2562047h, about 292 years)",
        assertThrows(
                IllegalArgumentException.class,
                () -> Settings.parseDuration("99999999999999999999ms"))
            .getMessage());
  }

  /* ---- secrets ---- */

  @Test
  void aSecretIsMaskedInToStringAndInErrors() {
    Settings secret =
        Settings.of(
            "entry 2001 'socks5'",
            Map.of("password", "hunter2", "port", "x"),
            Set.of("password", "port"));
    assertEquals("hunter2", secret.getString("password"));
    assertEquals("entry 2001 'socks5' {password=(secret), port=(secret)}", secret.toString());
    assertEquals(
        "setting 'port' of entry 2001 'socks5' = (secret) is not a whole number",
        assertThrows(IllegalArgumentException.class, () -> secret.getLong("port")).getMessage());
  }

  @Test
  void aSecretGivenAsAFileReferenceIsReadWhenTheSettingsAreMade(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("password");
    Files.writeString(file, "hunter2\n");
    Settings secret =
        Settings.of("entry 2001 'socks5'", Map.of("password", "@file:" + file), Set.of("password"));
    assertEquals("hunter2", secret.getString("password"));
    assertEquals("entry 2001 'socks5' {password=@file:" + file + "}", secret.toString());
  }

  @Test
  void aSecretGivenAsAnEnvironmentReferenceIsReadFromTheEnvironment() {
    Settings secret =
        Settings.of("entry 2001 'socks5'", Map.of("password", "@env:PATH"), Set.of("password"));
    assertEquals(System.getenv("PATH"), secret.getString("password"));
    assertEquals("entry 2001 'socks5' {password=@env:PATH}", secret.toString());
  }

  @Test
  void aMissingFileOrVariableIsNamedWithTheSetting(@TempDir Path dir) {
    Path missing = dir.resolve("nope");
    assertEquals(
        "setting 'password' of entry 2001 'socks5' refers to the file "
            + missing
            + ", which cannot be read: no such file (expected: a file holding the secret)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    Settings.of(
                        "entry 2001 'socks5'",
                        Map.of("password", "@file:" + missing),
                        Set.of("password")))
            .getMessage());
    assertEquals(
        "setting 'password' of entry 2001 'socks5' refers to the environment variable"
            + " PROTOCHAIN_TEST_UNSET_42, which is not set (set it for the process that loads the"
            + " provider)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    Settings.of(
                        "entry 2001 'socks5'",
                        Map.of("password", "@env:PROTOCHAIN_TEST_UNSET_42"),
                        Set.of("password")))
            .getMessage());
  }

  @Test
  void aReferenceInASettingThatIsNotSecretIsTakenAsItIs() {
    Settings plain = Settings.of("entry 2002 'trace'", Map.of("level", "@env:HOME"), Set.of());
    assertEquals("@env:HOME", plain.getString("level"));
  }
}
