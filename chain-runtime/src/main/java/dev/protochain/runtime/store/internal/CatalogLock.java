package dev.protochain.runtime.store.internal;

import dev.protochain.api.ProtochainException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The exclusive lock that orders the writers of one catalog: a {@link FileLock} on a separate lock
 * file against other processes, and, since a JVM holds file locks for the whole process, a lock per
 * file against other threads of this one. A holder writes who it is into the lock file, so that a
 * waiting writer can say whom it waits for. The lock file is created owner-only and never followed
 * through a link ({@link HomeFiles#openLock}).
 *
 * <p>Acquiring waits up to a bound, then fails with {@link ProtochainException.Code#CATALOG_BUSY}.
 * The lock is not reentrant: a thread asking for a lock it holds fails at once. Closing releases
 * it; a process that dies releases it too, since the operating system drops its file locks.
 */
public final class CatalogLock implements AutoCloseable {

  private static final Map<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();
  private static final long POLL_MILLIS = 20;

  private final ReentrantLock threadLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private CatalogLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
    this.threadLock = threadLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /**
   * Takes the lock on {@code lockFile}, creating it if needed, waiting at most {@code wait}.
   *
   * @param purpose what the holder does, written into the lock file for those who wait
   * @param onWait told once, with a sentence naming the holder, if the lock is not free at once
   * @throws ProtochainException with {@link ProtochainException.Code#CATALOG_BUSY} naming the lock
   *     file, its holder and the time waited, if the wait ends first
   * @throws IllegalStateException if this thread holds the lock already
   */
  public static CatalogLock acquire(
      Path lockFile, Duration wait, String purpose, Consumer<String> onWait) throws IOException {
    Path key = lockFile.toAbsolutePath().getParent().toRealPath().resolve(lockFile.getFileName());
    ReentrantLock threadLock = IN_THIS_JVM.computeIfAbsent(key, k -> new ReentrantLock());
    if (threadLock.isHeldByCurrentThread()) {
      throw new IllegalStateException(
          "this thread holds the catalog lock "
              + lockFile
              + " already; a catalog edit must not write the catalog itself");
    }
    long deadline = System.nanoTime() + wait.toNanos();
    boolean told = false;
    try {
      if (!threadLock.tryLock()) {
        onWait.accept(waitingFor(lockFile));
        told = true;
        if (!threadLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          throw busy(lockFile, wait);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(
          "interrupted while waiting for the catalog lock " + lockFile);
    }
    FileChannel channel = null;
    try {
      channel = HomeFiles.openLock(lockFile);
      FileLock fileLock = channel.tryLock();
      while (fileLock == null) {
        if (!told) {
          onWait.accept(waitingFor(lockFile));
          told = true;
        }
        if (System.nanoTime() - deadline >= 0) {
          throw busy(lockFile, wait);
        }
        Thread.sleep(POLL_MILLIS);
        fileLock = channel.tryLock();
      }
      String holder =
          "pid "
              + ProcessHandle.current().pid()
              + " ("
              + purpose
              + ", since "
              + Instant.now().truncatedTo(ChronoUnit.SECONDS)
              + ")";
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      return new CatalogLock(threadLock, channel, fileLock);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(channel, threadLock);
      throw new InterruptedIOException(
          "interrupted while waiting for the catalog lock " + lockFile);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel, threadLock);
      throw e;
    }
  }

  /** Releases the lock: clears the holder's note, then lets the next writer in. */
  @Override
  public void close() throws IOException {
    try {
      channel.truncate(0);
      fileLock.release();
    } finally {
      try {
        channel.close();
      } finally {
        threadLock.unlock();
      }
    }
  }

  private static void closeQuietly(FileChannel channel, ReentrantLock threadLock) {
    try {
      if (channel != null) {
        channel.close(); // releases any file lock taken through it
      }
    } catch (IOException ignored) {
      // the failure being thrown is the one that matters; closing only releases
    } finally {
      threadLock.unlock();
    }
  }

  private static String waitingFor(Path lockFile) {
    return "waiting for the catalog lock " + lockFile + ", held by " + holder(lockFile);
  }

  private static ProtochainException busy(Path lockFile, Duration waited) {
    return new ProtochainException(
        ProtochainException.Code.CATALOG_BUSY,
        "catalog busy: "
            + lockFile
            + " is held by "
            + holder(lockFile)
            + "; gave up after waiting "
            + format(waited));
  }

  /** Returns who holds the lock as its holder wrote it, or {@code another writer} if unknown. */
  private static String holder(Path lockFile) {
    try {
      String note =
          new String(
                  HomeFiles.read(lockFile, 4096, "lock").orElse(new byte[0]),
                  StandardCharsets.UTF_8)
              .strip();
      return note.isEmpty() ? "another writer" : note;
    } catch (IOException e) {
      return "another writer";
    }
  }

  /** Returns {@code 10s}, {@code 1.5s} or {@code 200ms}. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    return ms % 1000 == 0
        ? ms / 1000 + "s"
        : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
  }
}
