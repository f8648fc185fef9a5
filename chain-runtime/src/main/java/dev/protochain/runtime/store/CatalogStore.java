package dev.protochain.runtime.store;

import dev.protochain.api.ProtochainException;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogInvalidException;
import dev.protochain.runtime.store.internal.AtomicWrite;
import dev.protochain.runtime.store.internal.CatalogJson;
import dev.protochain.runtime.store.internal.CatalogLock;
import dev.protochain.runtime.store.internal.HomeFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Keeps the catalog of a {@link ProtochainHome} in the file {@value #CATALOG_FILE} there, with the
 * previous version in {@value #BACKUP_FILE} [the persisted Winsock catalog, and {@code netsh
 * winsock}'s store].
 *
 * <h2>Reading</h2>
 *
 * A read parses the file strictly and validates the catalog ({@link Catalog#problems()}); any
 * problem — an empty, truncated or non-JSON file, an unknown schema version, a missing or unknown
 * field, an entry naming a missing id — fails the read with one {@link CatalogInvalidException}
 * naming the file and listing every problem, and leaves the file as it is. Reads take no lock and
 * never see a half-written file. The first read of a home without a catalog creates one holding
 * {@link Catalog#builtin()}, generation 1.
 *
 * <h2>Writing</h2>
 *
 * {@link #update}, {@link #reset} and {@link #restore} hold an exclusive lock on {@value
 * #LOCK_FILE} across processes (waiting at most the store's lock wait, then failing with {@link
 * ProtochainException.Code#CATALOG_BUSY}); they read the current catalog under the lock, copy it to
 * the backup, and replace the catalog file by the new generation. Each file is replaced atomically
 * (a temporary file in the same directory, forced to disk, renamed over the old one, the directory
 * forced), so a crash at any moment leaves the catalog either at the generation before or at the
 * one being written. {@link #update} refuses to write over a catalog it cannot read; only {@link
 * #reset} and {@link #restore}, which the user asks for explicitly, replace one, and they keep its
 * bytes in {@value #UNREADABLE_FILE} first.
 *
 * <h2>Files</h2>
 *
 * The home and every file the store writes are created owner-only. A catalog, backup or lock file
 * that is a symbolic link is refused with a {@link java.nio.file.FileSystemException} naming it,
 * before anything is read or written through it; a catalog file larger than {@value
 * #MAX_CATALOG_BYTES} bytes is refused unread.
 *
 * <pre>{@code
 * CatalogStore store = CatalogStore.open(ProtochainHome.of(dir));
 * CatalogChange change = store.update("install layer 'trace'",
 *     catalog -> catalog.install(trace, Map.of(), List.of(1001)).catalog());
 * try (ChainRuntime runtime = ChainRuntime.builder().catalog(store.read().catalog()).build()) { ... }
 * }</pre>
 *
 * <p>A runtime keeps the catalog it was built with, and writes reach runtimes built afterwards,
 * unless it follows this file ({@link dev.protochain.runtime.ChainRuntime.Builder#followCatalog}).
 * This class is thread-safe.
 */
public final class CatalogStore implements LayerInstaller.Store {

  /** The catalog file's name in the home. */
  public static final String CATALOG_FILE = "catalog.json";

  /** The backup's name in the home: the catalog as it was before the last write. */
  public static final String BACKUP_FILE = "catalog.json.bak";

  /** The lock file's name in the home. */
  public static final String LOCK_FILE = "catalog.lock";

  /** Where a reset or restore keeps an unreadable catalog it replaces. */
  public static final String UNREADABLE_FILE = "catalog.json.unreadable";

  /** The largest catalog file read, 16 MiB: thousands of times the size of any real catalog. */
  public static final int MAX_CATALOG_BYTES = 16 << 20;

  /** How long a writer waits for the lock unless told otherwise. */
  public static final Duration DEFAULT_LOCK_WAIT = Duration.ofSeconds(10);

  /**
   * Changes a catalog: given the current one, returns the one to write. It runs under the lock;
   * throwing aborts the write and leaves the file as it was.
   */
  @FunctionalInterface
  public interface Edit {
    /**
     * Returns the catalog to write, or {@code current} itself to write nothing.
     *
     * @throws IOException to refuse the edit; the store rethrows it
     * @throws IllegalArgumentException to refuse the edit; the store rethrows it
     */
    Catalog apply(Catalog current) throws IOException;
  }

  private final ProtochainHome home;
  private final Duration lockWait;
  private final Consumer<String> onNote;

  private CatalogStore(ProtochainHome home, Duration lockWait, Consumer<String> onNote) {
    this.home = home;
    this.lockWait = lockWait;
    this.onNote = onNote;
  }

  /** Returns the store of {@code home}, waiting {@link #DEFAULT_LOCK_WAIT} for the lock. No I/O. */
  public static CatalogStore open(ProtochainHome home) {
    return builder(home).build();
  }

  /** Returns a builder of the store of {@code home}. */
  public static Builder builder(ProtochainHome home) {
    return new Builder(home);
  }

  /** Returns the home. */
  public ProtochainHome home() {
    return home;
  }

  /** Returns the catalog file. */
  public Path file() {
    return home.directory().resolve(CATALOG_FILE);
  }

  /** Returns the backup file. */
  public Path backupFile() {
    return home.directory().resolve(BACKUP_FILE);
  }

  /** Returns the lock file. */
  public Path lockFile() {
    return home.directory().resolve(LOCK_FILE);
  }

  /**
   * Returns the catalog, creating the file with {@link Catalog#builtin()} on first use.
   *
   * @throws CatalogInvalidException naming the file and every problem, if it cannot be read as a
   *     valid catalog; the file is left as it is
   * @throws ProtochainException with {@code CATALOG_BUSY} if it must be created and the lock stays
   *     held
   * @throws IOException if the file or the home cannot be read or created
   */
  @Override
  public StoredCatalog read() throws IOException {
    Optional<byte[]> bytes = bytes(file());
    if (bytes.isPresent()) {
      return CatalogJson.read(bytes.get(), file().toString());
    }
    try (CatalogLock lock = lock("create the catalog")) {
      return readOrCreate();
    }
  }

  /**
   * Returns the backup, or empty if there is none yet.
   *
   * @throws CatalogInvalidException naming the backup file and every problem, if it cannot be read
   */
  public Optional<StoredCatalog> readBackup() throws IOException {
    Optional<byte[]> bytes = bytes(backupFile());
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(CatalogJson.read(bytes.get(), backupFile().toString()));
  }

  /**
   * Applies {@code edit} to the current catalog under the lock and, unless it returns the catalog
   * unchanged, writes the result as the next generation, the current one becoming the backup.
   *
   * @param purpose what the edit does, such as {@code install layer 'trace'}, shown to writers
   *     waiting for the lock
   * @throws CatalogInvalidException if the current catalog is unreadable (nothing is written), or
   *     the edited one is invalid, naming the file and every problem
   * @throws ProtochainException with {@code CATALOG_BUSY} if the lock stays held
   * @throws IllegalArgumentException or {@link IOException} as thrown by {@code edit}; nothing is
   *     written
   */
  @Override
  public CatalogChange update(String purpose, Edit edit) throws IOException {
    Objects.requireNonNull(edit, "edit");
    try (CatalogLock lock = lock(purpose)) {
      StoredCatalog current = readOrCreate();
      Catalog edited =
          Objects.requireNonNull(edit.apply(current.catalog()), "the edit returned null");
      if (edited.equals(current.catalog())) {
        return new CatalogChange(current, current, false, null);
      }
      edited.checkValid(file() + " after " + purpose);
      StoredCatalog next = new StoredCatalog(edited, current.generation() + 1);
      AtomicWrite.deleteLeftovers(file());
      AtomicWrite.replace(backupFile(), CatalogJson.write(current));
      AtomicWrite.replace(file(), CatalogJson.write(next));
      return new CatalogChange(current, next, true, null);
    }
  }

  /**
   * Replaces the catalog by {@link Catalog#builtin()} [{@code netsh winsock reset}], even if it is
   * unreadable. A readable catalog becomes the backup; an unreadable one is kept in {@value
   * #UNREADABLE_FILE} and the backup is left as it is.
   *
   * @throws ProtochainException with {@code CATALOG_BUSY} if the lock stays held
   */
  public CatalogChange reset() throws IOException {
    try (CatalogLock lock = lock("reset the catalog")) {
      return replaceWith(Catalog.builtin(), null);
    }
  }

  /**
   * Puts the backup back as the catalog, even if the catalog is unreadable. A readable catalog
   * becomes the backup, so a second restore undoes the first; an unreadable one is kept in {@value
   * #UNREADABLE_FILE} and the backup is left as it is. The restored catalog is written as a new
   * generation.
   *
   * @throws ProtochainException with {@code CATALOG_INVALID} if there is no backup, or it cannot be
   *     read (naming the backup file and every problem); nothing is written
   * @throws ProtochainException with {@code CATALOG_BUSY} if the lock stays held
   */
  public CatalogChange restore() throws IOException {
    try (CatalogLock lock = lock("restore the catalog from its backup")) {
      StoredCatalog backup =
          readBackup()
              .orElseThrow(
                  () ->
                      new ProtochainException(
                          ProtochainException.Code.CATALOG_INVALID,
                          "no backup to restore: "
                              + backupFile()
                              + " does not exist (the first change of the catalog makes one)"));
      return replaceWith(backup.catalog(), backup);
    }
  }

  /** Writes {@code catalog} as the next generation after the current file, readable or not. */
  private CatalogChange replaceWith(Catalog catalog, StoredCatalog backup) throws IOException {
    Optional<byte[]> bytes = bytes(file());
    StoredCatalog current = null;
    Path unreadable = null;
    if (bytes.isPresent()) {
      try {
        current = CatalogJson.read(bytes.get(), file().toString());
      } catch (CatalogInvalidException e) {
        unreadable = home.directory().resolve(UNREADABLE_FILE);
      }
    }
    // Generations only rise: past the catalog's, or past the backup's when the catalog is
    // unreadable.
    long generation = 1 + Math.max(current == null ? 0 : current.generation(), backupGeneration());
    StoredCatalog next = new StoredCatalog(catalog, generation);
    AtomicWrite.deleteLeftovers(file());
    if (unreadable != null) {
      AtomicWrite.replace(unreadable, bytes.get());
    }
    if (backup != null) {
      // Restoring: the catalog first, so that a crash in between loses neither the backup's content
      // (now in the catalog) nor a readable catalog's (still in the file until this write lands).
      AtomicWrite.replace(file(), CatalogJson.write(next));
      if (current != null) {
        AtomicWrite.replace(backupFile(), CatalogJson.write(current));
      }
    } else {
      if (current != null) {
        AtomicWrite.replace(backupFile(), CatalogJson.write(current));
      }
      AtomicWrite.replace(file(), CatalogJson.write(next));
    }
    return new CatalogChange(current, next, true, unreadable);
  }

  /** Returns the backup's generation, or 0 if there is no readable backup. */
  private long backupGeneration() throws IOException {
    try {
      return readBackup().map(StoredCatalog::generation).orElse(0L);
    } catch (CatalogInvalidException e) {
      return 0; // an unreadable backup has no generation to stay above
    }
  }

  /** Reads the catalog under the lock, creating it with the built-in catalog if it is missing. */
  private StoredCatalog readOrCreate() throws IOException {
    Optional<byte[]> bytes = bytes(file());
    if (bytes.isPresent()) {
      return CatalogJson.read(bytes.get(), file().toString());
    }
    StoredCatalog created = new StoredCatalog(Catalog.builtin(), 1);
    AtomicWrite.deleteLeftovers(file());
    AtomicWrite.replace(file(), CatalogJson.write(created));
    onNote.accept("created " + file() + " with the built-in base entries (generation 1)");
    return created;
  }

  private CatalogLock lock(String purpose) throws IOException {
    HomeFiles.createDirectories(home.directory());
    return CatalogLock.acquire(lockFile(), lockWait, purpose, onNote);
  }

  private static Optional<byte[]> bytes(Path file) throws IOException {
    return HomeFiles.read(file, MAX_CATALOG_BYTES, "catalog");
  }

  @Override
  public String toString() {
    return "CatalogStore[" + file() + "]";
  }

  /** Configures a {@link CatalogStore}. Not thread-safe. */
  public static final class Builder {
    private final ProtochainHome home;
    private Duration lockWait = DEFAULT_LOCK_WAIT;
    private Consumer<String> onNote = note -> {};

    private Builder(ProtochainHome home) {
      this.home = Objects.requireNonNull(home, "home");
    }

    /**
     * Sets how long a write waits for the lock before failing with {@code CATALOG_BUSY}. Default:
     * {@link #DEFAULT_LOCK_WAIT}.
     *
     * @throws IllegalArgumentException if {@code wait} is negative
     */
    public Builder lockWait(Duration wait) {
      if (wait.isNegative()) {
        throw new IllegalArgumentException("lock wait must not be negative: " + wait);
      }
      this.lockWait = wait;
      return this;
    }

    /**
     * Sets what hears the notes a tool may pass on to a person, each one sentence: that a write
     * waits because another holds the lock (naming the lock file and the holder), and that a first
     * use created the catalog file. Default: nothing.
     */
    public Builder onNote(Consumer<String> onNote) {
      this.onNote = Objects.requireNonNull(onNote, "onNote");
      return this;
    }

    /** Returns the store. */
    public CatalogStore build() {
      return new CatalogStore(home, lockWait, onNote);
    }
  }
}
