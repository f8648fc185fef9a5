package dev.protochain.cli;

import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * The converters of the whole numbers the commands take: each refuses a value out of its range with
 * the value and the range, which picocli prefixes with the option or parameter, so that the command
 * fails as a usage error (exit 2).
 */
final class Ranges {

  private static final Pattern DIGITS = Pattern.compile("[-+]?\\d+");

  private Ranges() {}

  /**
   * Returns {@code text} as a whole number in {@code [min, max]}.
   *
   * @throws TypeConversionException {@code 'TEXT' is not WHAT (expected: MIN to MAX)} otherwise
   */
  static long parse(String text, String what, long min, long max) {
    if (!within(text, min, max)) {
      throw new TypeConversionException(
          "'" + text + "' is not " + what + " (expected: " + min + " to " + max + ")");
    }
    return Long.parseLong(text.trim());
  }

  /** Returns whether {@code text} is a whole number in {@code [min, max]}. */
  private static boolean within(String text, long min, long max) {
    try {
      long n = Long.parseLong(text.trim());
      return n >= min && n <= max;
    } catch (NumberFormatException e) {
      return false; // not a whole number, or past the range of long
    }
  }

  /** Returns whether {@code ref} is written as a number, and so names an entry by its id. */
  static boolean isId(String ref) {
    return DIGITS.matcher(ref.trim()).matches();
  }

  /**
   * Returns the id {@code ref} names, if it is written as a number (see {@link EntryRef}, which has
   * checked its range).
   */
  static int id(String ref) {
    return Integer.parseInt(ref.trim());
  }

  /** An entry by id (1 to {@link Integer#MAX_VALUE}) or by name; checks the range of an id. */
  static final class EntryRef implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String text) {
      if (isId(text) && !within(text, 1, Integer.MAX_VALUE)) {
        throw new TypeConversionException(
            "'"
                + text
                + "' is not an entry id (expected: an id from 1 to "
                + Integer.MAX_VALUE
                + ", or a name)");
      }
      return text.trim();
    }
  }

  /** A port to connect to: 1 to 65535. */
  static final class RemotePort implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      return (int) parse(text, "a port", 1, 65535);
    }
  }

  /** A port to listen on: 0 (a free one) to 65535. */
  static final class LocalPort implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      return (int) parse(text, "a port", 0, 65535);
    }
  }

  /**
   * A number of bytes the demo echoes: 0 to 64 MiB. The demo keeps what it sends and what comes
   * back in memory to compare them, so the bound is what it may allocate (the CLI fuzz found {@code
   * --bytes 2147483648} ending in OutOfMemoryError).
   */
  static final class ByteCount implements CommandLine.ITypeConverter<Long> {
    static final long MAX = 64L << 20;

    @Override
    public Long convert(String text) {
      return parse(text, "a byte count", 0, MAX);
    }
  }
}
