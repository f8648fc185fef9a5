package dev.protochain.cli;

import dev.protochain.api.ProtochainException;
import dev.protochain.runtime.store.CatalogChange;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.LayerInstaller;
import dev.protochain.runtime.store.StoredCatalog;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The home's {@link CatalogStore} as the commands use it: the same reads and changes, whose
 * failures of the file system (a full disk, a directory where the catalog should be) name the file,
 * what was kept, and the fix. The store's own errors (an invalid catalog, catalog busy) pass
 * unchanged.
 */
final class HomeCatalog implements LayerInstaller.Store {

  /** A read or a change of the store. */
  private interface Call<T> {
    T call() throws IOException;
  }

  private final CatalogStore store;

  HomeCatalog(CatalogStore store) {
    this.store = store;
  }

  Path file() {
    return store.file();
  }

  Path backupFile() {
    return store.backupFile();
  }

  /** See {@link CatalogStore#read}. */
  @Override
  public StoredCatalog read() throws IOException {
    return reading(store::read);
  }

  /** See {@link CatalogStore#readBackup}. */
  Optional<StoredCatalog> readBackup() throws IOException {
    return reading(store::readBackup);
  }

  /** See {@link CatalogStore#update}. */
  @Override
  public CatalogChange update(String purpose, CatalogStore.Edit edit) throws IOException {
    return writing(() -> store.update(purpose, edit));
  }

  /** See {@link CatalogStore#reset}. */
  CatalogChange reset() throws IOException {
    return writing(store::reset);
  }

  /** See {@link CatalogStore#restore}. */
  CatalogChange restore() throws IOException {
    return writing(store::restore);
  }

  private <T> T reading(Call<T> call) throws IOException {
    try {
      return call.call();
    } catch (ProtochainException e) {
      throw e;
    } catch (IOException e) {
      if (e instanceof FileSystemException && ((FileSystemException) e).getFile() != null) {
        throw e; // it names its file already
      }
      throw new IOException("could not read " + store.file() + ": " + Main.oneLine(e) + fix(e), e);
    }
  }

  private <T> T writing(Call<T> call) throws IOException {
    try {
      return call.call();
    } catch (ProtochainException e) {
      throw e;
    } catch (IOException e) {
      String kept;
      try {
        kept = "; it still holds generation " + store.read().generation() + ", unchanged";
      } catch (IOException | RuntimeException unreadable) {
        e.addSuppressed(unreadable);
        kept = "";
      }
      throw new IOException(
          "could not write " + store.file() + ": " + Main.oneLine(e) + kept + fix(e), e);
    }
  }

  /** Returns what to do about {@code e}, as {@code " (free space ...)"}, or nothing. */
  private String fix(IOException e) {
    String reason = String.valueOf(e.getMessage());
    if (reason.contains("No space left on device")) {
      return " (free space on the file system holding "
          + store.file().getParent()
          + ", then try again)";
    }
    if (reason.contains("Is a directory")) {
      return " (expected: a file; move that directory away, then 'protochain catalog restore'"
          + " puts the backup back)";
    }
    return "";
  }
}
