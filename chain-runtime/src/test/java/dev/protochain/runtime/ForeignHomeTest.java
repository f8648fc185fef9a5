package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import dev.protochain.runtime.testing.ExternalProcess;
import dev.protochain.runtime.testing.PluginJars;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A home or plugin store another user can change runs that user's code as the caller: such a home
 * is refused, naming the path and the fix, as ssh refuses such keys. The tests need root (to give
 * files away and to run a process as another user); they skip elsewhere only when not on CI.
 */
@Timeout(120)
class ForeignHomeTest {

  static final int NOBODY = 65534;
  static final int THIRD = 4242;

  @TempDir Path dir;

  Path home;
  Path jar;

  @BeforeEach
  void installAPlugin() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root && "true".equals(System.getenv("CI"))) {
      fail("CI=true: these tests run as root there, to give files away and run as another user");
    }
    assumeTrue(root, "not root and not on CI: cannot give files to another user");
    home = dir.resolve("home");
    Path built =
        new PluginJars()
            .source(
                "test.foreign.ForeignLayer", PluginJars.layer("test.foreign", "foreign", "", ""))
            .provider("test.foreign.ForeignLayer")
            .build(dir.resolve("foreign.jar"));
    ProtochainHome h = ProtochainHome.of(home);
    PluginRecord record = h.plugins().add(built);
    ProviderDescriptor d = PluginStore.inspect(built);
    CatalogStore.open(h)
        .update(
            "install",
            c -> c.withPlugin(record).installLayer(d.name(), d.id(), Map.of(), List.of(1005)));
    jar = h.plugins().jar(record);
  }

  ProtochainException startupRefused() throws IOException {
    Catalog catalog = CatalogStore.open(ProtochainHome.of(home)).read().catalog();
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .catalog(catalog)
            .source(ProtochainHome.of(home).plugins().source(catalog.plugins()))
            .shutdownHook(false)
            .build()) {
      return assertThrows(
          ProtochainException.class,
          () -> {
            try (Session s = runtime.startup("foreign-mem-stream")) {
              s.version();
            }
          });
    }
  }

  /** Makes everything under the home readable by all, writable by its owner only. */
  void readableByAll() throws IOException {
    try (Stream<Path> all = Files.walk(home)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
  }

  void chown(Path root, int uid) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  /* ---- as root ---- */

  @Test
  void rootRefusesAHomeOwnedByAnotherUser() throws Exception {
    chown(home, THIRD);

    ProtochainException e = startupRefused();

    assertEquals(ProtochainException.Code.INVALID_PROVIDER, e.code());
    assertEquals(
        "protochain home "
            + home
            + " is owned by uid 4242, not by you (uid 0) or root; protochain runs no plugin from a"
            + " home another user can change: use a home of your own (--home DIR or"
            + " PROTOCHAIN_HOME), or have "
            + home
            + " owned by you",
        e.getMessage());
  }

  @Test
  void aGroupWritableStoreIsRefused() throws Exception {
    Files.setPosixFilePermissions(
        home.resolve("plugins"), PosixFilePermissions.fromString("rwxrwx---"));

    assertEquals(
        "plugin store "
            + home.resolve("plugins")
            + " can be written by its group (rwxrwx---); protochain runs no plugin from a place"
            + " another user can change: chmod go-w "
            + home.resolve("plugins"),
        startupRefused().getMessage());
  }

  @Test
  void aWorldWritableJarIsRefused() throws Exception {
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-rw-rw-"));

    assertEquals(
        "plugin jar "
            + jar
            + " can be written by its group and others (rw-rw-rw-); protochain runs no plugin from"
            + " a place another user can change: chmod go-w "
            + jar,
        startupRefused().getMessage());
  }

  @Test
  void aWorldWritableHomeIsRefused() throws Exception {
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));

    assertEquals(
        "protochain home "
            + home
            + " can be written by its group and others (rwxrwxrwx); protochain runs no plugin from"
            + " a place another user can change: chmod go-w "
            + home,
        startupRefused().getMessage());
  }

  /* ---- as another user ---- */

  @Test
  void anotherUserRefusesAHomeOwnedByAThirdUser() throws Exception {
    readableByAll();
    chown(home, THIRD);

    String out = runAsNobody(1);

    assertEquals(
        "protochain home "
            + home
            + " is owned by uid 4242, not by you (uid 65534) or root; protochain runs no plugin"
            + " from a home another user can change: use a home of your own (--home DIR or"
            + " PROTOCHAIN_HOME), or have "
            + home
            + " owned by you\n",
        out);
  }

  @Test
  void anotherUserLoadsPluginsFromARootOwnedHome() throws Exception {
    readableByAll();

    assertEquals("started foreign-mem-stream\n", runAsNobody(0));
  }

  /**
   * Runs {@link PluginLoadMain} as uid and gid 65534 with no supplementary group, on a copy of the
   * class path that user can read, and returns its standard output after checking its status.
   */
  String runAsNobody(int expectedStatus) throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> classpath = new ArrayList<>();
    Path copies = Files.createDirectory(dir.resolve("classpath"));
    int i = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
      Path from = Path.of(entry);
      if (!Files.exists(from)) {
        continue;
      }
      Path to = copies.resolve(i++ + "-" + from.getFileName());
      copyTree(from, to);
      classpath.add(to.toString());
    }
    List<String> command =
        List.of(
            "setpriv",
            "--reuid=" + NOBODY,
            "--regid=" + NOBODY,
            "--clear-groups",
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            String.join(File.pathSeparator, classpath),
            PluginLoadMain.class.getName(),
            home.toString(),
            "foreign-mem-stream");
    try (ExternalProcess p = ExternalProcess.start("setpriv java", dir, command)) {
      p.stdin().close();
      int status = p.exitStatus(Duration.ofSeconds(60));
      assertEquals(expectedStatus, status, p.stdout() + p.stderr());
      return p.stdout();
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(p, target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
  }
}
