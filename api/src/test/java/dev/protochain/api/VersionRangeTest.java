package dev.protochain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class VersionRangeTest {

  @Test
  void negotiationAnswersTheHighestVersionInBothRanges() {
    VersionRange supported = VersionRange.parse("1.0-2.1");
    assertEquals(Optional.of(Version.of(2, 1)), supported.negotiate(VersionRange.parse("2.0-2.2")));
    assertEquals(Optional.of(Version.of(1, 5)), supported.negotiate(VersionRange.parse("1.1-1.5")));
    assertEquals(Optional.of(Version.of(1, 0)), supported.negotiate(VersionRange.parse("0.1-1.0")));
    assertEquals(Optional.empty(), supported.negotiate(VersionRange.parse("2.2-3.0")));
    assertEquals(Optional.empty(), supported.negotiate(VersionRange.parse("0.1-0.9")));
  }

  @Test
  void versionsOrderByMajorThenMinor() {
    assertEquals(-1, Integer.signum(Version.of(1, 9).compareTo(Version.of(2, 0))));
    assertEquals(1, Integer.signum(Version.of(2, 10).compareTo(Version.of(2, 2))));
    assertEquals("2.2", Version.CURRENT.toString());
    assertEquals("1.0-2.2", VersionRange.ALL.toString());
    assertEquals("2.1", VersionRange.exactly(Version.of(2, 1)).toString());
  }

  @Test
  void malformedVersionsAndEmptyRangesAreRefusedWithTheirText() {
    assertEquals(
        "'two' is not a version (expected: major.minor)",
        assertThrows(IllegalArgumentException.class, () -> Version.parse("two")).getMessage());
    assertEquals(
        "version 256.0 out of range (expected: 0.0 to 255.255)",
        assertThrows(IllegalArgumentException.class, () -> Version.of(256, 0)).getMessage());
    assertEquals(
        "empty version range 2.2-2.0 (expected: min <= max)",
        assertThrows(IllegalArgumentException.class, () -> VersionRange.parse("2.2-2.0"))
            .getMessage());
  }
}
