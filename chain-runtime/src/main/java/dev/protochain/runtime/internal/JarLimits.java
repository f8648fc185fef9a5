package dev.protochain.runtime.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The bounds of what is read from a plugin jar, checked before any class loader opens it: its size
 * on disk, its number of entries, the bytes each entry and all entries inflate to (counted while
 * inflating, never taken from the sizes the jar declares), and no nested archive (the plugin class
 * loader opens none, so nesting stays at depth 0). A zip bomb is thus refused after inflating at
 * most {@link #MAX_TOTAL_BYTES} bytes, in constant memory.
 */
public final class JarLimits {

  /** The largest plugin jar on disk: 128 MiB. */
  public static final long MAX_JAR_BYTES = 128L << 20;

  /** The most entries a plugin jar holds: 65,536. */
  public static final int MAX_ENTRIES = 1 << 16;

  /** The most bytes one entry inflates to: 64 MiB. */
  public static final long MAX_ENTRY_BYTES = 64L << 20;

  /** The most bytes all entries together inflate to: 256 MiB. */
  public static final long MAX_TOTAL_BYTES = 256L << 20;

  private JarLimits() {}

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
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
        ZipEntry entry = entries.nextElement();
        String name = entry.getName().toLowerCase(Locale.ROOT);
        if (!entry.isDirectory()
            && (name.endsWith(".jar") || name.endsWith(".zip") || name.endsWith(".war"))) {
          return Optional.of(
              "holds the nested archive "
                  + entry.getName()
                  + ", which the plugin class loader would never open; put its classes in the plugin"
                  + " jar itself");
        }
        long inflated = 0;
        try (InputStream in = zip.getInputStream(entry)) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            inflated += n;
            if (inflated > MAX_ENTRY_BYTES) {
              return Optional.of(
                  "has an entry "
                      + entry.getName()
                      + " that inflates to more than "
                      + MAX_ENTRY_BYTES
                      + " bytes, the most one entry of a plugin jar may hold (a zip bomb?)");
            }
            if (total + inflated > MAX_TOTAL_BYTES) {
              return Optional.of(
                  "inflates to more than "
                      + MAX_TOTAL_BYTES
                      + " bytes, the most a plugin jar may hold (a zip bomb?)");
            }
          }
        } catch (ZipException e) {
          return Optional.of("is a damaged jar: entry " + entry.getName() + ": " + e.getMessage());
        }
        total += inflated;
      }
    }
    return Optional.empty();
  }
}
