package dev.protochain.api;

import java.util.Optional;

/**
 * An inclusive range of versions: what a caller asks for at startup, and what a provider supports.
 *
 * <p>Negotiation follows Winsock's {@code WSPStartup}: the provider answers the highest version it
 * supports within the caller's range, or refuses with {@link
 * ProtochainException.Code#VERSION_NOT_SUPPORTED}.
 *
 * @param min the lowest version in the range
 * @param max the highest version in the range, not lower than {@code min}
 */
public record VersionRange(Version min, Version max) {

  /** Every version this release of protochain speaks: 1.0 to {@link Version#CURRENT}. */
  public static final VersionRange ALL = new VersionRange(Version.of(1, 0), Version.CURRENT);

  /**
   * Creates a range.
   *
   * @throws IllegalArgumentException if {@code max} is lower than {@code min}
   */
  public VersionRange {
    if (min.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          "empty version range " + min + "-" + max + " (expected: min <= max)");
    }
  }

  /** Returns the range holding {@code version} alone. */
  public static VersionRange exactly(Version version) {
    return new VersionRange(version, version);
  }

  /** Returns the range from {@code min} to {@code max}, inclusive. */
  public static VersionRange of(Version min, Version max) {
    return new VersionRange(min, max);
  }

  /**
   * Parses {@code "1.0-2.2"} or a single version {@code "2.2"}.
   *
   * @throws IllegalArgumentException if {@code text} is not a range
   */
  public static VersionRange parse(String text) {
    int dash = text.indexOf('-');
    if (dash < 0) {
      return exactly(Version.parse(text));
    }
    return new VersionRange(
        Version.parse(text.substring(0, dash)), Version.parse(text.substring(dash + 1)));
  }

  /** Returns whether {@code version} lies in this range. */
  public boolean contains(Version version) {
    return min.compareTo(version) <= 0 && version.compareTo(max) <= 0;
  }

  /**
   * Returns the highest version that lies in both this range (what a provider supports) and {@code
   * requested} (what its caller asks for), or empty if the two do not overlap.
   */
  public Optional<Version> negotiate(VersionRange requested) {
    Version high = max.compareTo(requested.max) <= 0 ? max : requested.max;
    Version low = min.compareTo(requested.min) >= 0 ? min : requested.min;
    return low.compareTo(high) <= 0 ? Optional.of(high) : Optional.empty();
  }

  /** Returns {@code min-max}, or the single version when both are equal. */
  @Override
  public String toString() {
    return min.equals(max) ? min.toString() : min + "-" + max;
  }
}
