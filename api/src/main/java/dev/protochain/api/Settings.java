package dev.protochain.api;

import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The settings of one loaded provider: its entry's settings over the defaults its descriptor
 * declares, with typed access whose errors name the setting, the value and the owner.
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

  /** Returns the value of {@code key}, or {@code defaultValue} if it is not set. */
  public String getString(String key, String defaultValue) {
    return values.getOrDefault(key, defaultValue);
  }

  /**
   * Returns {@code key} as a whole number, or {@code defaultValue} if it is not set.
   *
   * @throws IllegalArgumentException if it is set but not a whole number
   */
  public long getLong(String key, long defaultValue) {
    String v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where(key) + " = '" + v + "' is not a whole number", e);
    }
  }

  /**
   * Returns {@code key} as a whole number in {@code [min, max]}, or {@code defaultValue}.
   *
   * @throws IllegalArgumentException if it is set but not a whole number in range
   */
  public int getInt(String key, int defaultValue, int min, int max) {
    long v = getLong(key, defaultValue);
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          where(key) + " = " + v + " is out of range (expected: " + min + " to " + max + ")");
    }
    return (int) v;
  }

  /**
   * Returns {@code key} as {@code true} or {@code false}, or {@code defaultValue}.
   *
   * @throws IllegalArgumentException if it is set to anything else
   */
  public boolean getBoolean(String key, boolean defaultValue) {
    String v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
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
   * Returns {@code key} as a duration, or {@code defaultValue}. Values are a whole number with a
   * unit: {@code 250ms}, {@code 30s}, {@code 2m}; a bare number means milliseconds.
   *
   * @throws IllegalArgumentException if it is set but not a duration
   */
  public Duration getDuration(String key, Duration defaultValue) {
    String v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    String t = v.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      } else if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      } else if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.ofMillis(Long.parseLong(t));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where(key) + " = '" + v + "' is not a duration (expected: e.g. 250ms, 30s, 2m)", e);
    }
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
