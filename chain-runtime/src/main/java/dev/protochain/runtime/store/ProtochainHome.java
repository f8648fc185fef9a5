package dev.protochain.runtime.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The protochain home: the directory holding the catalog file, its backup and its lock.
 *
 * <p>It is, in this order of precedence: the directory given on the command line ({@code --home
 * DIR}), the environment variable {@value #ENVIRONMENT_VARIABLE} when set and not empty, or {@code
 * .protochain} in the user's home directory. Relative paths are resolved against the working
 * directory. Instances are immutable; nothing is created until a store writes.
 */
public final class ProtochainHome {

  /** The environment variable naming the home when no directory is given explicitly. */
  public static final String ENVIRONMENT_VARIABLE = "PROTOCHAIN_HOME";

  /** The home's directory name under the user's home when nothing else names it. */
  public static final String DEFAULT_DIRECTORY = ".protochain";

  private final Path directory;

  private ProtochainHome(Path directory) {
    this.directory = directory.toAbsolutePath().normalize();
  }

  /** Returns the home in {@code directory}. */
  public static ProtochainHome of(Path directory) {
    return new ProtochainHome(Objects.requireNonNull(directory, "directory"));
  }

  /**
   * Returns the home named by {@code explicit} if present, else by {@value #ENVIRONMENT_VARIABLE}
   * in {@code environment} if set and not blank, else {@value #DEFAULT_DIRECTORY} under {@code
   * userHome}.
   */
  public static ProtochainHome resolve(
      Optional<Path> explicit, Map<String, String> environment, Path userHome) {
    if (explicit.isPresent()) {
      return of(explicit.get());
    }
    String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return of(Path.of(fromEnvironment));
    }
    return of(userHome.resolve(DEFAULT_DIRECTORY));
  }

  /** Returns the home's directory, absolute. */
  public Path directory() {
    return directory;
  }

  /** Returns the home's plugin store, the directory {@code plugins} inside it. */
  public dev.protochain.runtime.PluginStore plugins() {
    return new dev.protochain.runtime.PluginStore(directory.resolve("plugins"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProtochainHome && directory.equals(((ProtochainHome) o).directory);
  }

  @Override
  public int hashCode() {
    return directory.hashCode();
  }

  /** Returns the directory. */
  @Override
  public String toString() {
    return directory.toString();
  }
}
