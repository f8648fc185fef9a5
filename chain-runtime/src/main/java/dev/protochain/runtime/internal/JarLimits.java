package dev.protochain.runtime.internal;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * The bounds of what is read from a plugin jar, checked before any class loader opens it: its size
 * on disk, its number of entries, the bytes each entry and all entries inflate to (counted while
 * inflating, never taken from the sizes the jar declares), and where archives may sit. A zip bomb
 * is thus refused after inflating at most {@link #MAX_TOTAL_BYTES} bytes, in constant memory.
 *
 * <p>A plugin bundles the libraries it needs as jars directly in its {@code lib/} directory ({@code
 * lib/NAME.jar}, {@link #isLibrary}); any other archive, or a name under {@code lib/} with a path
 * of its own, is refused. A bundled library counts into the same bounds as the plugin jar's own
 * entries: its entries count as entries, and what they inflate to counts per entry and into the
 * total. It may hold no archive itself, so nesting stops at depth 1.
 */
public final class JarLimits {

  /** The largest plugin jar on disk: 128 MiB. */
  public static final long MAX_JAR_BYTES = 128L << 20;

  /** The most entries a plugin jar holds, its bundled libraries' entries included: 65,536. */
  public static final int MAX_ENTRIES = 1 << 16;

  /** The most bytes one entry inflates to: 64 MiB. */
  public static final long MAX_ENTRY_BYTES = 64L << 20;

  /**
   * The most bytes all entries together inflate to, bundled libraries' entries included: 256 MiB.
   */
  public static final long MAX_TOTAL_BYTES = 256L << 20;

  /** Where a plugin jar keeps the libraries it bundles. */
  public static final String LIBRARIES = "lib/";

  private static final Pattern LIBRARY =
      Pattern.compile("lib/[A-Za-z0-9_+-][A-Za-z0-9._+-]*\\.jar");

  private JarLimits() {}

  /**
   * Returns whether the entry {@code name} is a bundled library: {@code lib/NAME.jar}, NAME made of
   * letters, digits and {@code . _ + -}, not starting with a dot, so that it names no other
   * directory.
   */
  public static boolean isLibrary(String name) {
    return LIBRARY.matcher(name).matches();
  }

  /** A bound passed; the message continues {@code plugin jar <path> }. */
  private static final class Exceeded extends Exception {
    private static final long serialVersionUID = 1L;

    Exceeded(String problem) {
      super(problem, null, false, false);
    }
  }

  /** What has been inflated so far, across the plugin jar and its libraries. */
  private static final class Budget {
    long total;
    int entries;

    Budget(int entries) {
      this.entries = entries;
    }

    /** Counts one more entry of a bundled library. */
    void entry() throws Exceeded {
      entries++;
      if (entries > MAX_ENTRIES) {
        throw new Exceeded(
            "holds more than "
                + MAX_ENTRIES
                + " entries, its bundled libraries' included, the most a plugin jar may hold");
      }
    }

    /** Counts {@code n} more bytes of the entry {@code name}, which has inflated {@code sofar}. */
    void inflated(String name, long sofar, int n) throws Exceeded {
      if (sofar > MAX_ENTRY_BYTES) {
        throw new Exceeded(
            "has an entry "
                + name
                + " that inflates to more than "
                + MAX_ENTRY_BYTES
                + " bytes, the most one entry of a plugin jar may hold (a zip bomb?)");
      }
      total += n;
      if (total > MAX_TOTAL_BYTES) {
        throw new Exceeded(
            "inflates to more than "
                + MAX_TOTAL_BYTES
                + " bytes, the most a plugin jar may hold (a zip bomb?)");
      }
    }
  }

  /**
   * Returns why {@code jar} exceeds a bound or is not a jar at all, or empty if it is within every
   * bound; the sentence continues {@code plugin jar <path> }.
   */
  public static Optional<String> check(Path jar) throws IOException {
    long size = Files.size(jar);
    if (size > MAX_JAR_BYTES) {
      return Optional.of(
          "is " + size + " bytes, more than the " + MAX_JAR_BYTES + " a plugin jar may be");
    }
    ZipFile zip;
    try {
      zip = new ZipFile(jar.toFile());
    } catch (ZipException e) {
      return Optional.of(
          "is not a jar (a zip file): "
              + e.getMessage()
              + "; build it with the jar tool, Maven or Gradle");
    }
    try (zip) {
      if (zip.size() > MAX_ENTRIES) {
        return Optional.of(
            "holds "
                + zip.size()
                + " entries, more than the "
                + MAX_ENTRIES
                + " a plugin jar may hold");
      }
      walk(zip, true, null);
    } catch (Exceeded e) {
      return Optional.of(e.getMessage());
    }
    return Optional.empty();
  }

  /**
   * Returns the entries of the libraries {@code jar} bundles, each name with its bytes and the
   * library it came from ({@code lib/NAME.jar}), read into memory within the same bounds as {@link
   * #check}; libraries are read in the order of their names and the first one holding a name wins.
   * A library's directories, {@code module-info.class} and {@code META-INF/versions/} (it is read
   * as a plain jar) are left out.
   *
   * @throws IOException naming the plugin jar and the entry if a bound is passed or a library is
   *     damaged
   */
  public static Map<String, Bundled> libraries(Path jar) throws IOException {
    Map<String, Bundled> out = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      walk(zip, false, out);
    } catch (Exceeded e) {
      throw new IOException("plugin jar " + jar + " " + e.getMessage());
    }
    return out;
  }

  /** An entry of a bundled library: its bytes, and the library ({@code lib/NAME.jar}). */
  public record Bundled(String library, byte[] bytes) {}

  /**
   * Walks the entries of {@code zip}: all of them when {@code everything} (inflating each to count
   * it), else only its libraries; each library entry is read into {@code sink} when given.
   */
  private static void walk(ZipFile zip, boolean everything, Map<String, Bundled> sink)
      throws IOException, Exceeded {
    Budget budget = new Budget(zip.size());
    byte[] buffer = new byte[64 * 1024];
    for (String name : zip.stream().map(ZipEntry::getName).sorted().toList()) {
      ZipEntry entry = zip.getEntry(name);
      if (entry == null || entry.isDirectory()) {
        continue;
      }
      boolean library = isLibrary(name);
      if (!library) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith(LIBRARIES) && archive(lower)) {
          throw new Exceeded(
              "has the entry "
                  + name
                  + ", which is not a bundled library: a plugin bundles a library as "
                  + LIBRARIES
                  + "NAME.jar, directly in "
                  + LIBRARIES
                  + " (NAME of letters, digits and . _ + -)");
        }
        if (archive(lower)) {
          throw new Exceeded(
              "holds the nested archive "
                  + name
                  + " outside "
                  + LIBRARIES
                  + ", which the plugin class loader would never open; bundle a library as "
                  + LIBRARIES
                  + "NAME.jar");
        }
        if (!everything) {
          continue;
        }
      }
      try (InputStream in = new Counted(zip.getInputStream(entry), name, budget)) {
        if (library) {
          readLibrary(name, in, budget, buffer, sink);
        } else {
          while (in.read(buffer) > 0) {
            // counted as it inflates
          }
        }
      } catch (ZipException e) {
        throw new Exceeded(
            (library ? "has a damaged bundled library " : "is a damaged jar: entry ")
                + name
                + ": "
                + e.getMessage());
      } catch (UncheckedExceeded e) {
        throw e.exceeded;
      }
    }
  }

  /** Reads the library {@code name} from {@code in}, counting each of its entries. */
  private static void readLibrary(
      String name, InputStream in, Budget budget, byte[] buffer, Map<String, Bundled> sink)
      throws IOException, Exceeded {
    int entries = 0;
    try (ZipInputStream lib = new ZipInputStream(in)) {
      for (ZipEntry inner; (inner = lib.getNextEntry()) != null; ) {
        entries++;
        String innerName = name + "!/" + inner.getName();
        budget.entry();
        if (inner.isDirectory()) {
          continue;
        }
        if (archive(inner.getName().toLowerCase(Locale.ROOT))) {
          throw new Exceeded(
              "holds the nested archive "
                  + innerName
                  + " in a bundled library, which the plugin class loader would never open;"
                  + " bundle it as "
                  + LIBRARIES
                  + "NAME.jar beside the other");
        }
        ByteArrayOutputStream bytes = sink == null ? null : new ByteArrayOutputStream();
        long inflated = 0;
        for (int n; (n = lib.read(buffer)) > 0; ) {
          inflated += n;
          budget.inflated(innerName, inflated, n);
          if (bytes != null) {
            bytes.write(buffer, 0, n);
          }
        }
        String resource = inner.getName();
        if (bytes != null
            && !resource.equals("module-info.class")
            && !resource.startsWith("META-INF/versions/")) {
          sink.putIfAbsent(resource, new Bundled(name, bytes.toByteArray()));
        }
      }
      while (in.read(buffer) > 0) {
        // the rest of the library (its central directory), counted as it inflates
      }
    }
    if (entries == 0) {
      throw new Exceeded(
          "has a bundled library " + name + " that is not a jar: it holds no entry to read");
    }
  }

  private static boolean archive(String lowerCaseName) {
    return lowerCaseName.endsWith(".jar")
        || lowerCaseName.endsWith(".zip")
        || lowerCaseName.endsWith(".war");
  }

  /** Carries an {@link Exceeded} through {@link InputStream#read}. */
  private static final class UncheckedExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Exceeded exceeded;

    UncheckedExceeded(Exceeded exceeded) {
      super(exceeded.getMessage(), null, false, false);
      this.exceeded = exceeded;
    }
  }

  /** Counts what an entry of the plugin jar inflates to, per entry and into the total. */
  private static final class Counted extends FilterInputStream {
    private final String name;
    private final Budget budget;
    private long inflated;

    Counted(InputStream in, String name, Budget budget) {
      super(in);
      this.name = name;
      this.budget = budget;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        inflated += n;
        try {
          budget.inflated(name, inflated, n);
        } catch (Exceeded e) {
          throw new UncheckedExceeded(e);
        }
      }
      return n;
    }
  }
}
