package dev.protochain.runtime.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What one write of a {@link CatalogStore} did: the catalog before and after, and where an
 * unreadable catalog that a reset or a restore replaced was kept. Instances are immutable.
 */
public final class CatalogChange {

  private final StoredCatalog before;
  private final StoredCatalog after;
  private final boolean written;
  private final Path unreadableCopy;

  CatalogChange(StoredCatalog before, StoredCatalog after, boolean written, Path unreadableCopy) {
    this.before = before;
    this.after = Objects.requireNonNull(after, "after");
    this.written = written;
    this.unreadableCopy = unreadableCopy;
  }

  /**
   * Returns the catalog the change replaced, now the backup; empty if there was none, or it was
   * unreadable and a reset or restore replaced it.
   */
  public Optional<StoredCatalog> before() {
    return Optional.ofNullable(before);
  }

  /** Returns the catalog now in the file. */
  public StoredCatalog after() {
    return after;
  }

  /** Returns whether the file was written; {@code false} when the edit changed nothing. */
  public boolean written() {
    return written;
  }

  /** Returns where the unreadable catalog a reset or restore replaced was kept, if it did. */
  public Optional<Path> unreadableCopy() {
    return Optional.ofNullable(unreadableCopy);
  }

  @Override
  public String toString() {
    return "CatalogChange[generation "
        + (before == null ? "none" : before.generation())
        + " -> "
        + after.generation()
        + (written ? "" : ", unchanged")
        + "]";
  }
}
