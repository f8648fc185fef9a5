package dev.protochain.runtime.store.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Replaces a file so that a reader, or the file after a crash at any moment, holds either the old
 * bytes or the new ones, never a mix: the new bytes go to a temporary file in the same directory,
 * are forced to the disk, renamed over the target in one atomic step, and the directory itself is
 * forced so that the rename survives a power loss. The temporary file is created owner-only, and a
 * target that is a symbolic link is refused rather than replaced.
 */
public final class AtomicWrite {

  private static final String TEMP_SUFFIX = ".tmp";
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private AtomicWrite() {}

  /**
   * Replaces {@code target} by {@code bytes}, durably.
   *
   * @throws java.nio.file.FileSystemException naming {@code target} if it is a symbolic link, which
   *     the rename would replace without a word (see {@link HomeFiles#refuseLink})
   * @throws IOException if any step fails; {@code target} is then left as it was
   */
  public static void replace(Path target, byte[] bytes) throws IOException {
    HomeFiles.refuseLink(target);
    Path dir = target.toAbsolutePath().getParent();
    Path temp = HomeFiles.createTempFile(dir, target.getFileName() + ".", TEMP_SUFFIX);
    try {
      try (FileChannel ch =
          FileChannel.open(
              temp,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING,
              LinkOption.NOFOLLOW_LINKS)) {
        ByteBuffer src = ByteBuffer.wrap(bytes);
        while (src.hasRemaining()) {
          ch.write(src);
        }
        ch.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    forceDirectory(dir);
  }

  /**
   * Deletes the temporary files that writes of {@code target}, or of any file whose name starts
   * with {@code target}'s and a dot, left behind when a crash interrupted them; call it only while
   * holding the lock that orders the writes, so that no write is under way.
   */
  public static void deleteLeftovers(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    String glob = target.getFileName() + ".*" + TEMP_SUFFIX;
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, glob)) {
      for (Path p : leftovers) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Forces a directory's entries to the disk. Windows cannot open a directory as a channel; there
   * NTFS journals the rename itself.
   */
  static void forceDirectory(Path dir) throws IOException {
    if (WINDOWS) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
