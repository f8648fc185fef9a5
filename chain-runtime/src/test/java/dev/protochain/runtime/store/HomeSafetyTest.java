package dev.protochain.runtime.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.runtime.PluginStore;
import dev.protochain.runtime.testing.ExternalProcess;
import dev.protochain.runtime.testing.PluginJars;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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

  /* ---- owner-only creation ---- */

  @Test
  @Timeout(60)
  void underUmask000TheHomeTheStoreAndEveryFileAreCreatedOwnerOnly() throws Exception {
    Path jar =
        new PluginJars()
            .source("test.modes.ModesLayer", PluginJars.layer("test.modes", "modes", "", ""))
            .provider("test.modes.ModesLayer")
            .build(dir.resolve("modes.jar"));
    Path fresh = dir.resolve("parent/home"); // the parent is missing too
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ExternalProcess.run(
        dir,
        List.of(
            "sh",
            "-c",
            "umask 000; exec \"$0\" -cp \"$1\" "
                + HomeCreatorMain.class.getName()
                + " \"$2\" \"$3\"",
            java,
            System.getProperty("java.class.path"),
            fresh.toString(),
            jar.toString()));

    Map<String, String> modes = new TreeMap<>();
    for (Path p :
        List.of(
            fresh.getParent(),
            fresh,
            fresh.resolve("plugins"),
            fresh.resolve("catalog.json"),
            fresh.resolve("catalog.json.bak"),
            fresh.resolve("catalog.lock"),
            fresh.resolve("plugins").resolve(PluginStore.sha256(jar) + ".jar"))) {
      modes.put(
          dir.relativize(p).toString(),
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
    }
    Map<String, String> expected = new TreeMap<>();
    expected.put("parent", "rwx------");
    expected.put("parent/home", "rwx------");
    expected.put("parent/home/plugins", "rwx------");
    expected.put("parent/home/catalog.json", "rw-------");
    expected.put("parent/home/catalog.json.bak", "rw-------");
    expected.put("parent/home/catalog.lock", "rw-------");
    expected.put("parent/home/plugins/" + PluginStore.sha256(jar) + ".jar", "rw-------");
    assertEquals(expected, modes);
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
