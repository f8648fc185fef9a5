package dev.protochain.runtime.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The home is an attack surface: a link planted in it is never followed, and no read is unbounded.
 */
class HomeSafetyTest {

  static final byte[] PRECIOUS =
      "precious bytes of another file\n".getBytes(StandardCharsets.UTF_8);

  static final int MAX_CATALOG_BYTES = 16 << 20;

  @TempDir Path dir;

  Path home;
  Path victim;
  CatalogStore store;

  @BeforeEach
  void create() throws Exception {
    home = Files.createDirectory(dir.resolve("home"));
    victim = Files.write(dir.resolve("victim"), PRECIOUS);
    store = CatalogStore.open(ProtochainHome.of(home));
  }

  static String linkRefused(Path link, Path target) {
    return link
        + ": is a symbolic link (to "
        + target
        + "); protochain follows no link in its home, which it did not make: remove the link (its"
        + " target is left as it is)";
  }

  /* ---- links ---- */

  @Test
  void aLockFileLinkingToAnotherFileIsRefusedAndTheFileKeepsItsBytes() throws Exception {
    Files.createSymbolicLink(store.lockFile(), victim);

    FileSystemException e =
        assertThrows(FileSystemException.class, () -> store.update("edit", c -> c));

    assertEquals(linkRefused(store.lockFile(), victim), e.getMessage());
    assertArrayEquals(PRECIOUS, Files.readAllBytes(victim));
    assertTrue(Files.isSymbolicLink(store.lockFile()));
  }

  @Test
  void aLockFileWithASecondHardLinkIsRefusedAndTheOtherFileKeepsItsBytes() throws Exception {
    Files.createLink(store.lockFile(), victim);

    FileSystemException e = assertThrows(FileSystemException.class, () -> store.reset());

    assertEquals(
        store.lockFile()
            + ": has another hard link; protochain writes into its lock file, and would write into"
            + " the other file too: remove it (the other file is left as it is)",
        e.getMessage());
    assertArrayEquals(PRECIOUS, Files.readAllBytes(victim));
  }

  @Test
  void aCatalogFileLinkingElsewhereIsRefusedOnReadAndWriteAndStaysALink() throws Exception {
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    CatalogStore other = CatalogStore.open(ProtochainHome.of(elsewhere));
    other.read();
    byte[] before = Files.readAllBytes(other.file());
    Files.createSymbolicLink(store.file(), other.file());

    FileSystemException read = assertThrows(FileSystemException.class, () -> store.read());
    FileSystemException update =
        assertThrows(
            FileSystemException.class,
            () ->
                store.update(
                    "install",
                    c ->
                        c.installLayer(
                            "x",
                            CatalogStoreTest.LAYER,
                            java.util.Map.of(),
                            java.util.List.of(1001))));
    FileSystemException reset = assertThrows(FileSystemException.class, () -> store.reset());

    String expected = linkRefused(store.file(), other.file());
    assertEquals(expected, read.getMessage());
    assertEquals(expected, update.getMessage());
    assertEquals(expected, reset.getMessage());
    assertTrue(Files.isSymbolicLink(store.file()));
    assertArrayEquals(before, Files.readAllBytes(other.file()));
    assertFalse(Files.exists(store.backupFile()));
  }

  @Test
  void aBackupFileLinkingToAnotherFileIsRefusedAndNothingIsWritten() throws Exception {
    store.read();
    byte[] catalog = Files.readAllBytes(store.file());
    Files.createSymbolicLink(store.backupFile(), victim);

    FileSystemException e = assertThrows(FileSystemException.class, () -> store.reset());

    assertEquals(linkRefused(store.backupFile(), victim), e.getMessage());
    assertArrayEquals(PRECIOUS, Files.readAllBytes(victim));
    assertArrayEquals(catalog, Files.readAllBytes(store.file()));
  }

  /* ---- bounded reads ---- */

  @Test
  void aCatalogFileLargerThanAnyCatalogIsRefusedUnread() throws Exception {
    Files.write(store.file(), new byte[MAX_CATALOG_BYTES + 1]);

    FileSystemException e = assertThrows(FileSystemException.class, () -> store.read());

    assertEquals(
        store.file()
            + ": holds more than 16777216 bytes, more than any catalog protochain writes; it was"
            + " not read: move it away",
        e.getMessage());
    assertEquals(MAX_CATALOG_BYTES + 1, Files.size(store.file()));
  }
}
