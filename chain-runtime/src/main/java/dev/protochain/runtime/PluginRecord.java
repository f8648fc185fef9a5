package dev.protochain.runtime;

import java.util.Objects;
import java.util.UUID;

/**
 * What the catalog records of an installed plugin: which provider it holds, where its jar is kept
 * in the home's plugin store, and the SHA-256 of that jar when it was installed. A load verifies
 * the digest and refuses a jar that changed.
 *
 * @param providerId the UUID of the provider the plugin holds
 * @param name the provider's name, for messages
 * @param version the provider's release, for messages
 * @param file the jar's file name inside the plugin store, {@code <sha256>.jar}
 * @param sha256 the jar's SHA-256 at install, 64 lower-case hex digits
 */
public record PluginRecord(
    UUID providerId, String name, String version, String file, String sha256) {

  /** Creates a record, checking the digest's form. */
  public PluginRecord {
    Objects.requireNonNull(providerId, "providerId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(file, "file");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "plugin '" + name + "': '" + sha256 + "' is not a SHA-256 in hex");
    }
  }

  /** Returns {@code plugin 'rot13' 1.0.0 (3f0c8a52-...)}. */
  @Override
  public String toString() {
    return "plugin '" + name + "' " + version + " (" + providerId + ")";
  }
}
