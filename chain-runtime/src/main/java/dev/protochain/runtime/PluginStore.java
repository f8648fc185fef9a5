package dev.protochain.runtime;

import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.VersionRange;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.internal.JarLimits;
import dev.protochain.runtime.internal.PluginClassLoader;
import dev.protochain.runtime.internal.PluginProviderSource;
import dev.protochain.runtime.store.internal.HomeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The plugin store of a protochain home: plugin jars kept under their SHA-256, each loaded in its
 * own class loader whose parent shares only the JDK, the {@code dev.protochain.api} packages and
 * Guice (so that a plugin may supply a Guice module), and closed when the provider unloads.
 *
 * <p>A plugin jar holds one layered provider class carrying a {@link
 * dev.protochain.api.spi.ProviderInfo} descriptor and registered for {@link
 * java.util.ServiceLoader} under {@code dev.protochain.api.spi.Provider}; it may bundle the
 * libraries it needs, in any version, since nothing but the shared packages comes from the host:
 * each as a jar directly in the plugin jar's {@code lib/} directory ({@code lib/NAME.jar}), read
 * into memory by the plugin's class loader and never extracted (see {@link
 * dev.protochain.runtime.internal.PluginClassLoader}); any other archive in the jar is refused. A
 * plugin may also register Guice modules under {@code com.google.inject.Module}; they are installed
 * in the provider's own injector.
 *
 * <p>The store is trusted only when its home, itself and each jar belong to this process's user (or
 * root) and no one else can write them ({@link #checkTrusted}): every load checks it, since a home
 * another user can change would run that user's code as the caller.
 *
 * <p>This class is thread-safe; concurrent {@link #add}s of one jar store it once.
 */
public final class PluginStore {

  private final Path directory;

  /** Creates a store over {@code directory}, created on the first {@link #add}. */
  public PluginStore(Path directory) {
    this.directory = directory;
  }

  /** Returns the store's directory. */
  public Path directory() {
    return directory;
  }

  /**
   * Reads and checks the descriptor of the one provider in {@code jar}, loading its classes in a
   * throwaway class loader that is closed before this returns; no plugin code runs except class
   * initialisation the JVM does not do here (classes are loaded, not initialised).
   *
   * <p>Before any class loader opens it, the jar is checked against the bounds of {@link JarLimits}
   * (size, entries, inflated bytes counted while inflating, the entries of bundled {@code
   * lib/NAME.jar} libraries included, no archive elsewhere), so that a zip bomb is refused in
   * bounded time and memory.
   *
   * @throws ProtochainException {@code INVALID_PROVIDER} naming the jar and the problem: not a jar,
   *     past a bound, a bundled library damaged or named outside {@code lib/NAME.jar}, no provider
   *     registered, a registered class missing, no descriptor, several providers, a base provider,
   *     or SPI versions this runtime does not speak
   */
  public static ProviderDescriptor inspect(Path jar) throws ProtochainException {
    if (!Files.isRegularFile(jar)) {
      throw new ProtochainException(
          ProtochainException.Code.INVALID_PROVIDER, "plugin jar " + jar + " does not exist");
    }
    Optional<String> unbounded;
    try {
      unbounded = JarLimits.check(jar);
    } catch (IOException e) {
      throw invalid(jar, "cannot be read: " + e);
    }
    if (unbounded.isPresent()) {
      throw invalid(jar, unbounded.get());
    }
    try (PluginClassLoader loader = PluginClassLoader.open(jar)) {
      List<Class<?>> types = loader.providerTypes();
      if (types.isEmpty()) {
        throw invalid(
            jar, "registers no provider in META-INF/services/dev.protochain.api.spi.Provider");
      }
      if (types.size() > 1) {
        throw invalid(
            jar,
            "registers "
                + types.size()
                + " providers "
                + types.stream().map(Class::getName).toList()
                + "; a plugin holds one");
      }
      ProviderDescriptor d = ProviderDescriptor.of(types.get(0));
      if (d.kind() != EntryKind.LAYER) {
        throw invalid(jar, "holds " + d + "; only layered providers install as plugins");
      }
      if (d.versions().negotiate(VersionRange.ALL).isEmpty()) {
        throw invalid(
            jar,
            "holds "
                + d
                + ", which speaks SPI "
                + d.versions()
                + "; this runtime speaks "
                + VersionRange.ALL);
      }
      return d;
    } catch (ProtochainException e) {
      if (e.getMessage().startsWith("plugin jar ")) {
        throw e;
      }
      throw new ProtochainException(
          ProtochainException.Code.INVALID_PROVIDER,
          "plugin jar " + jar + ": " + e.getMessage(),
          e);
    } catch (IOException | LinkageError | RuntimeException e) {
      throw invalid(jar, "cannot be read: " + e.getMessage());
    }
  }

  /**
   * Checks {@code jar} with {@link #inspect} and copies it into the store as {@code <sha256>.jar}
   * (written to an owner-only temporary file, forced to disk, then renamed), returning what the
   * catalog should record. Adding a jar already stored changes nothing on disk. The store's
   * directory is created owner-only; a store directory or stored jar that is a symbolic link is
   * refused, naming it, and nothing is written through it.
   */
  public PluginRecord add(Path jar) throws IOException {
    ProviderDescriptor d = inspect(jar);
    String digest = sha256(jar);
    createDirectory();
    checkTrusted(Optional.empty());
    Path target = directory.resolve(digest + ".jar");
    HomeFiles.refuseLink(target);
    if (!Files.exists(target) || !sha256(target).equals(digest)) {
      Path tmp = HomeFiles.createTempFile(directory, digest, ".tmp");
      try {
        try (InputStream in = Files.newInputStream(jar);
            FileChannel ch =
                FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
          in.transferTo(Channels.newOutputStream(ch));
          ch.force(true);
        }
        if (!sha256(tmp).equals(digest)) {
          throw new IOException(
              "plugin jar " + jar + " changed while it was being copied into " + directory);
        }
        Files.move(
            tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return new PluginRecord(d.id(), d.name(), d.version(), target.getFileName().toString(), digest);
  }

  /**
   * Checks that the store may supply code to this process: its home, the store and {@code jar} (if
   * given) are each owned by this process's user or by root and writable by no one else, and
   * neither the store nor the jar is a symbolic link.
   *
   * @throws ProtochainException {@code INVALID_PROVIDER} naming the first path that fails and the
   *     fix
   */
  public void checkTrusted(Optional<Path> jar) throws ProtochainException {
    Optional<String> problem;
    try {
      Path parent = directory.toAbsolutePath().getParent();
      problem =
          parent == null ? Optional.empty() : HomeFiles.untrusted("protochain home", parent, true);
      if (problem.isEmpty()) {
        problem = HomeFiles.untrusted("plugin store", directory, false);
      }
      if (problem.isEmpty() && jar.isPresent()) {
        problem = HomeFiles.untrusted("plugin jar", jar.get(), false);
      }
    } catch (IOException e) {
      throw new ProtochainException(
          ProtochainException.Code.INVALID_PROVIDER,
          "plugin store " + directory + " cannot be checked: " + e,
          e);
    }
    if (problem.isPresent()) {
      throw new ProtochainException(ProtochainException.Code.INVALID_PROVIDER, problem.get());
    }
  }

  /** Creates the store's directory, owner-only, refusing a link in its place. */
  private void createDirectory() throws IOException {
    Path parent = directory.toAbsolutePath().getParent();
    if (parent != null) {
      HomeFiles.createDirectories(parent);
    }
    HomeFiles.createDirectory(directory);
  }

  /**
   * Deletes the stored jar of {@code record} unless {@code catalog} still records that jar: what a
   * refused install calls so that it leaves nothing behind. Call it under the catalog lock.
   */
  public void discardUnless(Catalog catalog, PluginRecord record) throws IOException {
    if (catalog.plugins().stream().noneMatch(p -> p.file().equals(record.file()))) {
      Path jar = jar(record);
      HomeFiles.refuseLink(jar);
      Files.deleteIfExists(jar);
    }
  }

  /** Returns the path of a recorded plugin's jar. */
  public Path jar(PluginRecord record) {
    return directory.resolve(record.file());
  }

  /**
   * Returns a source of the plugins {@code records} name, verifying each jar's SHA-256 against its
   * record before describing or loading it.
   */
  public ProviderSource source(List<PluginRecord> records) {
    return new PluginProviderSource(this, records, classpath());
  }

  /**
   * Returns {@code catalog} recording {@code record} (which {@link #add} returned), refusing a
   * plugin that claims the id of a provider the class path or another installed plugin provides: a
   * provider id is bound to where it comes from. Recording the same jar again changes nothing.
   *
   * @throws ProtochainException {@code INVALID_PROVIDER} naming the plugin, the provider whose id
   *     it claims, and the fix
   */
  public Catalog record(Catalog catalog, PluginRecord record) throws ProtochainException {
    Optional<String> refusal =
        PluginProviderSource.claimRefusal(record, catalog.plugins(), classpath());
    if (refusal.isPresent()) {
      throw new ProtochainException(ProtochainException.Code.INVALID_PROVIDER, refusal.get());
    }
    return catalog.withPlugin(record);
  }

  private static ProviderSource classpath() {
    return ProviderSource.classpath(PluginStore.class.getClassLoader());
  }

  /** Returns the SHA-256 of {@code file} in lower-case hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static ProtochainException invalid(Path jar, String problem) {
    return new ProtochainException(
        ProtochainException.Code.INVALID_PROVIDER, "plugin jar " + jar + " " + problem);
  }

  @Override
  public String toString() {
    return "PluginStore[" + directory + "]";
  }
}
