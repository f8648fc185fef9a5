package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ProtochainException;
import dev.protochain.runtime.testing.ExternalProcess;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin jars built to exhaust the installer: each is refused with one line, in bounded time and
 * memory, before any class loader opens it.
 */
@Timeout(120)
class ZipBombTest {

  static final String SERVICES = "META-INF/services/dev.protochain.api.spi.Provider";

  @TempDir Path dir;

  /** Writes a jar whose entry {@code name} inflates to {@code mib} MiB of newlines. */
  Path bomb(String file, int entries, long mib) throws IOException {
    Path jar = dir.resolve(file);
    byte[] chunk = new byte[1 << 20];
    Arrays.fill(chunk, (byte) '\n');
    try (ZipOutputStream out =
        new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(jar)))) {
      out.setLevel(9);
      for (int e = 0; e < entries; e++) {
        out.putNextEntry(new ZipEntry(e == 0 ? SERVICES : "filler-" + e + ".txt"));
        for (long i = 0; i < mib; i++) {
          out.write(chunk);
        }
        out.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void aZipBombIsRefusedByAChildJvmWithA64MibHeapWithinSeconds() throws Exception {
    Path jar = bomb("bomb.jar", 1, 512); // 512 MiB of newlines in a jar of about 500 KB
    assertTrue(Files.size(jar) < 3 << 20, "the bomb is small: " + Files.size(jar));
    long start = System.nanoTime();
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx64m",
            "-cp",
            System.getProperty("java.class.path"),
            InspectMain.class.getName(),
            jar.toString());
    try (ExternalProcess p = ExternalProcess.start("inspect", dir, command)) {
      p.stdin().close();
      int status = p.exitStatus(Duration.ofSeconds(20));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(
          "plugin jar "
              + jar
              + " has an entry "
              + SERVICES
              + " that inflates to more than 67108864 bytes, the most one entry of a plugin jar may"
              + " hold (a zip bomb?)\n",
          p.stdout(),
          p.stderr());
      assertEquals(1, status);
      assertTrue(millis < 20_000, "took " + millis + " ms");
      System.out.println("zip bomb of " + Files.size(jar) + " bytes refused in " + millis + " ms");
    }
  }

  @Test
  void entriesTogetherInflatingPastTheBoundAreRefused() throws Exception {
    Path jar = bomb("wide.jar", 5, 60);

    assertEquals(
        "plugin jar "
            + jar
            + " inflates to more than 268435456 bytes, the most a plugin jar may hold (a zip"
            + " bomb?)",
        assertThrows(ProtochainException.class, () -> PluginStore.inspect(jar)).getMessage());
  }

  @Test
  void tooManyEntriesAreRefused() throws Exception {
    Path jar = dir.resolve("many.jar");
    try (ZipOutputStream out =
        new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(jar)))) {
      for (int i = 0; i <= 65_536; i++) {
        out.putNextEntry(new ZipEntry("e" + i));
        out.closeEntry();
      }
    }

    assertEquals(
        "plugin jar " + jar + " holds 65537 entries, more than the 65536 a plugin jar may hold",
        assertThrows(ProtochainException.class, () -> PluginStore.inspect(jar)).getMessage());
  }

  @Test
  void aNestedArchiveOutsideLibIsRefused() throws Exception {
    Path jar = dir.resolve("nested.jar");
    try (ZipOutputStream out =
        new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(jar)))) {
      out.putNextEntry(new ZipEntry("libs/inner.jar"));
      out.write(new byte[] {'P', 'K', 5, 6});
      out.closeEntry();
    }

    assertEquals(
        "plugin jar "
            + jar
            + " holds the nested archive libs/inner.jar outside lib/, which the plugin class loader"
            + " would never open; bundle a library as lib/NAME.jar",
        assertThrows(ProtochainException.class, () -> PluginStore.inspect(jar)).getMessage());
  }

  @Test
  void aFileThatIsNotAZipIsSaidToBeNoJar() throws Exception {
    Path jar = Files.writeString(dir.resolve("notes.jar"), "just some notes\n");

    assertEquals(
        "plugin jar "
            + jar
            + " is not a jar (a zip file): zip END header not found; build it with the jar tool,"
            + " Maven or Gradle",
        assertThrows(ProtochainException.class, () -> PluginStore.inspect(jar)).getMessage());
  }
}
