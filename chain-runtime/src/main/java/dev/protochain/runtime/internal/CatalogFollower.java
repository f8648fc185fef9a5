package dev.protochain.runtime.internal;

import dev.protochain.runtime.CatalogGeneration;
import dev.protochain.runtime.CatalogListener;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.StoredCatalog;
import dev.protochain.runtime.store.internal.CatalogJson;
import dev.protochain.runtime.store.internal.HomeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Follows a home's catalog file for one runtime: every {@link #PERIOD} it looks at the file's
 * identity, modification time and size (one {@code stat}); when they moved it reads the file, and
 * when its bytes differ from the last ones read it parses them and hands a valid catalog to the
 * runtime. The store replaces the file atomically, so each change is a new file and a read never
 * sees half of one. A file that cannot be read as a valid catalog is logged and told once, until a
 * valid one is taken; the runtime keeps its generation meanwhile. One thread from the runtime's
 * (daemon-making) factory, stopped by {@link #close}.
 */
final class CatalogFollower implements AutoCloseable {

  /** How often the file is looked at. */
  static final Duration PERIOD = Duration.ofMillis(100);

  private static final Logger log = Logs.runtime();

  private final String runtime;
  private final CatalogStore store;
  private final Function<StoredCatalog, Optional<CatalogGeneration>> take;
  private final List<CatalogListener> listeners;
  private final Thread thread;
  private volatile boolean stopped;

  // Confined to the follower thread.
  private Stamp stamp;
  private byte[] last;
  private boolean reported;
  private long kept;

  /** A file's identity, modification time and size: what a change of the file moves. */
  private record Stamp(Object key, FileTime modified, long size) {}

  /**
   * Starts following {@code store}'s file, which held generation {@code generation} when the
   * runtime read it; {@code take} installs a catalog and returns what changed, or empty if nothing
   * did.
   */
  CatalogFollower(
      String runtime,
      CatalogStore store,
      long generation,
      Function<StoredCatalog, Optional<CatalogGeneration>> take,
      List<CatalogListener> listeners,
      ThreadFactory threads) {
    this.runtime = runtime;
    this.store = store;
    this.take = take;
    this.listeners = List.copyOf(listeners);
    this.kept = generation;
    // The first look reads the file once more: it may have changed since the runtime read it.
    this.thread = threads.newThread(this::run);
    thread.start();
  }

  private void run() {
    while (!stopped) {
      try {
        look();
      } catch (RuntimeException | Error e) {
        log.warn("runtime '{}': following {} failed; still following", runtime, store.file(), e);
      }
      try {
        Thread.sleep(PERIOD.toMillis());
      } catch (InterruptedException e) {
        return; // closing
      }
    }
  }

  /** Looks at the file once; reads and takes it if it changed. */
  private void look() {
    Path file = store.file();
    Stamp now;
    try {
      BasicFileAttributes a =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      now = new Stamp(a.fileKey(), a.lastModifiedTime(), a.size());
    } catch (NoSuchFileException e) {
      now = new Stamp(null, null, -1);
    } catch (IOException e) {
      now = new Stamp(e.toString(), null, -1);
    }
    if (now.equals(stamp)) {
      return;
    }
    stamp = now;
    byte[] bytes;
    StoredCatalog read;
    try {
      bytes =
          HomeFiles.read(file, CatalogStore.MAX_CATALOG_BYTES, "catalog")
              .orElseThrow(() -> new NoSuchFileException(file.toString(), null, "no catalog"));
      if (Arrays.equals(bytes, last)) {
        return;
      }
      read = CatalogJson.read(bytes, file.toString());
    } catch (IOException e) {
      refuse(file, e);
      return;
    }
    last = bytes;
    reported = false;
    Optional<CatalogGeneration> taken = take.apply(read);
    if (taken.isEmpty()) {
      return;
    }
    kept = read.generation();
    log.info("runtime '{}' follows {}: took {}", runtime, file, taken.get());
    for (CatalogListener l : listeners) {
      try {
        l.taken(taken.get());
      } catch (RuntimeException e) {
        log.warn("catalog listener {} threw on {}; ignored", l, taken.get(), e);
      }
    }
  }

  private void refuse(Path file, IOException problem) {
    last = null; // the next valid file is taken even if it repeats the last one read
    if (reported) {
      return;
    }
    reported = true;
    log.warn(
        "runtime '{}' follows {}: cannot take it, keeping generation {}: {}",
        runtime,
        file,
        kept,
        problem.toString());
    for (CatalogListener l : listeners) {
      try {
        l.refused(file, problem, kept);
      } catch (RuntimeException e) {
        log.warn("catalog listener {} threw on a refused catalog; ignored", l, e);
      }
    }
  }

  /** Stops following and waits, briefly, for the thread to end. */
  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(PERIOD.toMillis() * 10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
