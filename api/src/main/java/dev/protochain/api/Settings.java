package dev.protochain.api;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one loaded provider: its entry's settings over the defaults its descriptor
 * declares, with typed access whose errors name the setting, the value and the owner.
 *
 * <p>A setting's default is written once, as the {@code defaultValue} of its {@link
 * dev.protochain.api.spi.SettingInfo}: the runtime puts it here when the entry does not set the
 * setting, so a provider reads a setting with a default through the typed getters, which take no
 * default of their own, and a setting without one through {@link #get}.
 *
 * <p>Instances are immutable.
 */
public final class Settings {

  private final String owner;
  private final Map<String, String> values;

  private Settings(String owner, Map<String, String> values) {
    this.owner = owner;
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /**
   * Returns settings named after {@code owner} (used in error messages, such as {@code entry 2002
   * 'coalesce'}).
   */
  public static Settings of(String owner, Map<String, String> values) {
    return new Settings(owner, values);
  }

  /** Returns empty settings. */
  public static Settings empty() {
    return new Settings("no entry", Map.of());
  }

  /** Returns every setting, sorted by key. */
  public Map<String, String> asMap() {
    return values;
  }

  /** Returns the raw value of {@code key}, if set. */
  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key));
  }

  /**
   * Returns the value of {@code key}.
   *
   * @throws IllegalArgumentException if it is not set
   */
  public String getString(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException(where(key) + " is required but not set");
    }
    return v;
  }

  /**
   * Returns {@code key} as a whole number.
   *
   * @throws IllegalArgumentException if it is not set, or not a whole number
   */
  public long getLong(String key) {
    String v = getString(key);
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where(key) + " = '" + v + "' is not a whole number", e);
    }
  }

  /**
   * Returns {@code key} as a whole number in {@code [min, max]}.
   *
   * @throws IllegalArgumentException if it is not set, or not a whole number in range
   */
  public int getInt(String key, int min, int max) {
    long v = getLong(key);
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          where(key) + " = " + v + " is out of range (expected: " + min + " to " + max + ")");
    }
    return (int) v;
  }

  /**
   * Returns {@code key} as {@code true} or {@code false}.
   *
   * @throws IllegalArgumentException if it is not set, or set to anything else
   */
  public boolean getBoolean(String key) {
    String v = getString(key);
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new IllegalArgumentException(where(key) + " = '" + v + "' is not true or false");
    }
  }

  /**
   * Returns {@code key} as a duration; the syntax is {@link #parseDuration}'s.
   *
   * @throws IllegalArgumentException if it is not set, or not a duration, naming the setting
   */
  public Duration getDuration(String key) {
    String v = getString(key);
    try {
      return parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where(key) + " = " + e.getMessage(), e);
    }
  }

  /** What a duration looks like, for error messages. */
  private static final String DURATION_SYNTAX =
      "(expected: a whole number and a unit: 250ms, 30s, 2m or 1h; or 0)";

  private static final Pattern DURATION = Pattern.compile("(-?\\d+)(ms|s|m|h)?");

  /**
   * Parses a duration the one way protochain reads them, in settings and on the command line: a
   * whole number and a unit, {@code ms}, {@code s}, {@code m} or {@code h} ({@code 250ms}, {@code
   * 30s}, {@code 2m}, {@code 1h}), case and surrounding blanks ignored; {@code 0} alone is zero. A
   * bare number other than 0 is refused rather than read in a unit the writer may not have meant.
   * The longest is {@code 2562047h} (about 292 years: {@link Long#MAX_VALUE} nanoseconds).
   *
   * @throws IllegalArgumentException quoting {@code text} and saying what is expected
   */
  public static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration " + DURATION_SYNTAX);
    }
    if (m.group(1).startsWith("-")) {
      throw new IllegalArgumentException("'" + text + "' is negative (expected: 0 or more)");
    }
    String unit = m.group(2);
    BigInteger n = new BigInteger(m.group(1));
    if (unit == null) {
      if (n.signum() != 0) {
        throw new IllegalArgumentException("'" + text + "' has no unit " + DURATION_SYNTAX);
      }
      return Duration.ZERO;
    }
    long nanosPerUnit =
        switch (unit) {
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          default -> 3_600_000_000_000L;
        };
    BigInteger nanos = n.multiply(BigInteger.valueOf(nanosPerUnit));
    if (nanos.bitLength() > 63) {
      throw new IllegalArgumentException(
          "'" + text + "' is too long (expected: at most 2562047h, about 292 years)");
    }
    return Duration.ofNanos(nanos.longValueExact());
  }

  private String where(String key) {
    return "setting '" + key + "' of " + owner;
  }

  /** Returns the owner and the values, as {@code entry 2002 'coalesce' {threshold=8192}}. */
  @Override
  public String toString() {
    return owner + " " + values;
  }
}
