package dev.protochain.runtime.store.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How the protochain home touches its own files, the one place that says it: directories and files
 * are created owner-only at creation (the mode is given to {@code mkdir} and {@code open}, never
 * set afterwards, so no umask opens them even for an instant); a link in the home is never followed
 * (a catalog, backup, lock or plugin file that is a symbolic link, or a lock with a second hard
 * link, is refused naming the path); and every read is bounded.
 */
public final class HomeFiles {

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private static final Set<PosixFilePermission> OWNER_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_FILE =
      PosixFilePermissions.fromString("rw-------");

  private HomeFiles() {}

  /**
   * Creates {@code dir} and any missing parent, each owner-only ({@code rwx------}); an existing
   * {@code dir} must be a directory.
   *
   * @throws FileSystemException naming {@code dir} if it exists but is not a directory
   */
  public static void createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    List<Path> missing = new ArrayList<>();
    for (Path p = absolute; p != null && !Files.exists(p); p = p.getParent()) {
      missing.add(0, p);
    }
    for (Path p : missing) {
      try {
        Files.createDirectory(p, ownerOnlyDirectory());
      } catch (FileAlreadyExistsException raced) {
        // another writer made it meanwhile; checked below like any existing directory
      }
    }
    if (!Files.isDirectory(absolute)) {
      throw new FileSystemException(
          absolute.toString(),
          null,
          "is not a directory; protochain keeps its files in a directory here: remove or move it");
    }
  }

  /**
   * Creates the directory {@code dir} owner-only inside a home that exists, refusing a link there.
   *
   * @throws FileSystemException naming {@code dir} if it is a link or not a directory
   */
  public static void createDirectory(Path dir) throws IOException {
    try {
      Files.createDirectory(dir, ownerOnlyDirectory());
    } catch (FileAlreadyExistsException exists) {
      refuseLink(dir);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileSystemException(
            dir.toString(),
            null,
            "is not a directory; remove or move it, protochain keeps one here");
      }
    }
  }

  /** Returns the attribute that creates a file owner-only, or none where files have no modes. */
  public static FileAttribute<?>[] ownerOnly() {
    return POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)}
        : new FileAttribute<?>[0];
  }

  /**
   * Returns the attribute that creates a directory owner-only, or none where files have no modes.
   */
  public static FileAttribute<?>[] ownerOnlyDirectory() {
    return POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY)}
        : new FileAttribute<?>[0];
  }

  /** Creates a new owner-only temporary file in {@code dir}, never through a link. */
  public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
    return Files.createTempFile(dir, prefix, suffix, ownerOnly());
  }

  /**
   * Refuses {@code file} if it is a symbolic link: protochain writes nothing through, and reads
   * nothing from, a link it did not make. A missing file passes.
   *
   * @throws FileSystemException naming the file, where it points and the fix
   */
  public static void refuseLink(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw linkRefused(file);
    }
  }

  private static FileSystemException linkRefused(Path file) {
    String target;
    try {
      target = " (to " + Files.readSymbolicLink(file) + ")";
    } catch (IOException | UnsupportedOperationException e) {
      target = "";
    }
    return new FileSystemException(
        file.toString(),
        null,
        "is a symbolic link"
            + target
            + "; protochain follows no link in its home, which it did not make: remove the link"
            + " (its target is left as it is)");
  }

  /**
   * Opens {@code file} for reading without following a link, and returns its bytes, or empty if it
   * does not exist.
   *
   * @param limit the most bytes a sound file of this kind holds
   * @throws FileSystemException naming the file if it is a link, not a regular file, or larger than
   *     {@code limit}
   */
  public static Optional<byte[]> read(Path file, int limit, String what) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) { // ELOOP comes as a plain IOException
      refuseLink(file);
      throw e;
    }
    try (ch) {
      BasicFileAttributes attributes =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isRegularFile()) {
        throw new FileSystemException(
            file.toString(),
            null,
            "is not a regular file; protochain keeps its " + what + " there: remove or move it");
      }
      byte[] bytes = java.nio.channels.Channels.newInputStream(ch).readNBytes(limit + 1);
      if (bytes.length > limit) {
        throw new FileSystemException(
            file.toString(),
            null,
            "holds more than "
                + limit
                + " bytes, more than any "
                + what
                + " protochain writes; it was not read: move it away");
      }
      return Optional.of(bytes);
    }
  }

  /**
   * Returns why {@code path} cannot be trusted to hold code this process runs, or empty if it can:
   * it must be owned by this process's user or by root, and writable by neither its group nor
   * others (the rule ssh applies to its keys). A symbolic link is judged by its target only for the
   * home itself, which the user names; {@code follow} says which. Empty where files have no owners.
   *
   * @param what how to name {@code path} in the sentence, such as {@code plugin store}
   */
  public static Optional<String> untrusted(String what, Path path, boolean follow)
      throws IOException {
    if (!POSIX) {
      return Optional.empty();
    }
    LinkOption[] options =
        follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    if (!follow && Files.isSymbolicLink(path)) {
      return Optional.of(
          what
              + " "
              + path
              + " is a symbolic link; protochain runs no plugin through a link in its home: remove"
              + " the link");
    }
    int owner = ((Number) Files.getAttribute(path, "unix:uid", options)).intValue();
    long me = CurrentUser.UID;
    if (owner != me && owner != 0) {
      return Optional.of(
          what
              + " "
              + path
              + " is owned by uid "
              + owner
              + ", not by you (uid "
              + me
              + ") or root; protochain runs no plugin from a home another user can change: use a"
              + " home of your own (--home DIR or "
              + "PROTOCHAIN_HOME), or have "
              + path
              + " owned by you");
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, options);
    boolean group = mode.contains(PosixFilePermission.GROUP_WRITE);
    boolean others = mode.contains(PosixFilePermission.OTHERS_WRITE);
    if (group || others) {
      return Optional.of(
          what
              + " "
              + path
              + " can be written by "
              + (group && others ? "its group and others" : group ? "its group" : "others")
              + " ("
              + PosixFilePermissions.toString(mode)
              + "); protochain runs no plugin from a place another user can change: chmod go-w "
              + path);
    }
    return Optional.empty();
  }

  /** This process's user id, read once. */
  private static final class CurrentUser {
    static final long UID = new com.sun.security.auth.module.UnixSystem().getUid();
  }

  /**
   * Opens (creating it owner-only if missing) the lock file {@code file} for reading and writing,
   * refusing a symbolic link or a file with another hard link, either of which would let the
   * holder's note overwrite another file.
   *
   * @throws FileSystemException naming the file and the fix
   */
  public static FileChannel openLock(Path file) throws IOException {
    Set<OpenOption> options =
        new HashSet<>(
            List.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS));
    FileChannel ch;
    try {
      ch = FileChannel.open(file, options, ownerOnly());
    } catch (IOException e) { // ELOOP comes as a plain IOException
      refuseLink(file);
      throw e;
    }
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isRegularFile()) {
        throw new FileSystemException(
            file.toString(), null, "is not a regular file; remove it, protochain makes its own");
      }
      if (POSIX && ((Number) Files.getAttribute(file, "unix:nlink")).intValue() != 1) {
        throw new FileSystemException(
            file.toString(),
            null,
            "has another hard link; protochain writes into its lock file, and would write into the"
                + " other file too: remove it (the other file is left as it is)");
      }
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }
}
