package dev.protochain.api;

/**
 * A version of the provider interface, major and minor, as Winsock's {@code MAKEWORD(major,
 * minor)}; ordered by major, then minor.
 *
 * @param major the major version, 0 to 255
 * @param minor the minor version, 0 to 255
 */
public record Version(int major, int minor) implements Comparable<Version> {

  /** The version of the provider interface this release of protochain speaks at most. */
  public static final Version CURRENT = new Version(2, 2);

  /**
   * Creates a version.
   *
   * @throws IllegalArgumentException if either part is outside 0 to 255
   */
  public Version {
    if (major < 0 || major > 255 || minor < 0 || minor > 255) {
      throw new IllegalArgumentException(
          "version " + major + "." + minor + " out of range (expected: 0.0 to 255.255)");
    }
  }

  /** Returns the version {@code major.minor}. */
  public static Version of(int major, int minor) {
    return new Version(major, minor);
  }

  /**
   * Parses {@code "major.minor"} (or {@code "major"}, meaning {@code major.0}).
   *
   * @throws IllegalArgumentException if {@code text} is not a version
   */
  public static Version parse(String text) {
    String t = text.trim();
    int dot = t.indexOf('.');
    try {
      if (dot < 0) {
        return new Version(Integer.parseInt(t), 0);
      }
      return new Version(
          Integer.parseInt(t.substring(0, dot)), Integer.parseInt(t.substring(dot + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a version (expected: major.minor)", e);
    }
  }

  @Override
  public int compareTo(Version other) {
    return major != other.major
        ? Integer.compare(major, other.major)
        : Integer.compare(minor, other.minor);
  }

  /** Returns {@code major.minor}. */
  @Override
  public String toString() {
    return major + "." + minor;
  }
}
