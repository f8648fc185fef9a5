package dev.protochain.api;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one loaded provider: its entry's settings over the defaults its descriptor
 * declares, with typed access whose errors name the setting, the value and the owner.
 *
 * <p>A setting its descriptor marks {@linkplain dev.protochain.api.spi.SettingInfo#secret() secret}
 * is masked as {@value #MASK} in {@link #toString()} and in every error, and may be given as a
 * reference instead of its value: {@code @file:PATH} (the file's content, without a final line
 * break) or {@code @env:NAME} (an environment variable of the process that loads the provider).
 * References are resolved when the settings are made, that is when the provider loads; the catalog
 * keeps the reference, never the secret.
 *
 * <p>A setting's default is written once, as the {@code defaultValue} of its {@link
 * dev.protochain.api.spi.SettingInfo}: the runtime puts it here when the entry does not set the
 * setting, so a provider reads a setting with a default through the typed getters, which take no
 * default of their own, and a setting without one through {@link #get}.
 *
 * <p>Instances are immutable.
 */
public final class Settings {

  /** What a secret's value is shown as. */
  public static final String MASK = "(secret)";

  /** The prefix of a secret read from a file: {@code @file:PATH}. */
  public static final String FILE_REFERENCE = "@file:";

  /** The prefix of a secret read from an environment variable: {@code @env:NAME}. */
  public static final String ENV_REFERENCE = "@env:";

  /** The longest secret file read, in bytes. */
  private static final long MAX_SECRET_FILE = 64 * 1024;

  private final String owner;
  private final Map<String, String> values;
  private final Map<String, String> shown;
  private final Set<String> secrets;

  private Settings(String owner, Map<String, String> values, Set<String> secrets) {
    this.owner = owner;
    this.secrets = Set.copyOf(secrets);
    Map<String, String> resolved = new TreeMap<>();
    Map<String, String> shown = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          boolean secret = this.secrets.contains(k);
          resolved.put(k, secret ? resolve(k, v) : v);
          shown.put(k, secret ? mask(v) : v);
        });
    this.values = Collections.unmodifiableMap(resolved);
    this.shown = Collections.unmodifiableMap(shown);
  }

  /**
   * Returns settings named after {@code owner} (used in error messages, such as {@code entry 2002
   * 'coalesce'}), none of them secret.
   */
  public static Settings of(String owner, Map<String, String> values) {
    return new Settings(owner, values, Set.of());
  }

  /**
   * Returns settings named after {@code owner} whose keys in {@code secrets} hold secrets: masked
   * when shown, and resolved if they are references (see the class comment).
   *
   * @throws IllegalArgumentException if a reference names a file that cannot be read (or is larger
   *     than 64 KiB) or a variable that is not set, naming the setting, the owner and the file or
   *     variable
   */
  public static Settings of(String owner, Map<String, String> values, Set<String> secrets) {
    return new Settings(owner, values, secrets);
  }

  /** Returns empty settings. */
  public static Settings empty() {
    return new Settings("no entry", Map.of(), Set.of());
  }

  /**
   * Returns how a secret's stored value may be shown: a reference as it is (it names where the
   * secret is, not the secret), anything else as {@value #MASK}.
   */
  public static String mask(String value) {
    return isReference(value) ? value : MASK;
  }

  /**
   * Returns whether {@code value} is a reference to a secret: {@code @file:…} or {@code @env:…}.
   */
  public static boolean isReference(String value) {
    return value.startsWith(FILE_REFERENCE) || value.startsWith(ENV_REFERENCE);
  }

  private String resolve(String key, String value) {
    if (value.startsWith(ENV_REFERENCE)) {
      String name = value.substring(ENV_REFERENCE.length());
      String v = name.isEmpty() ? null : System.getenv(name);
      if (v == null) {
        throw new IllegalArgumentException(
            where(key)
                + " refers to the environment variable "
                + name
                + ", which is not set (set it for the process that loads the provider)");
      }
      return v;
    }
    if (value.startsWith(FILE_REFERENCE)) {
      String name = value.substring(FILE_REFERENCE.length());
      try {
        Path file = Path.of(name);
        if (Files.isRegularFile(file) && Files.size(file) > MAX_SECRET_FILE) {
          throw new IOException("larger than " + MAX_SECRET_FILE + " bytes");
        }
        String v = Files.readString(file);
        return v.endsWith("\r\n")
            ? v.substring(0, v.length() - 2)
            : v.endsWith("\n") ? v.substring(0, v.length() - 1) : v;
      } catch (IOException | InvalidPathException e) {
        throw new IllegalArgumentException(
            where(key)
                + " refers to the file "
                + name
                + ", which cannot be read: "
                + reason(e)
                + " (expected: a file holding the secret)",
            e);
      }
    }
    return value;
  }

  private static String reason(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    } else if (e instanceof AccessDeniedException) {
      return "access denied";
    } else if (e instanceof MalformedInputException) {
      return "it is not UTF-8 text";
    }
    return String.valueOf(e.getMessage());
  }

  /** Returns every setting, sorted by key; secrets resolved, so never to be shown. */
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
      throw new IllegalArgumentException(
          where(key) + " = " + quoted(key) + " is not a whole number", e);
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
          where(key)
              + " = "
              + (secrets.contains(key) ? MASK : String.valueOf(v))
              + " is out of range (expected: "
              + min
              + " to "
              + max
              + ")");
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
        throw new IllegalArgumentException(
            where(key) + " = " + quoted(key) + " is not true or false");
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
      throw new IllegalArgumentException(
          where(key) + " = " + (secrets.contains(key) ? MASK : e.getMessage()), e);
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

  /** Returns {@code 'VALUE'}, or {@value #MASK} for a secret. */
  private String quoted(String key) {
    return secrets.contains(key) ? MASK : "'" + values.get(key) + "'";
  }

  private String where(String key) {
    return "setting '" + key + "' of " + owner;
  }

  /** Returns the owner and the values, as {@code entry 2002 'coalesce' {threshold=8192}}. */
  @Override
  public String toString() {
    return owner + " " + shown;
  }
}
