package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution the build made, {@code target/protochain-VERSION.tar.gz}, unpacked into a
 * temporary directory and run from there as a user would: through {@code bin/protochain}, from
 * another working directory, on this JDK (and on JDK 25), with a temporary home, user home and
 * cache, with no Maven and no source tree on its path. The zip holds the same entries.
 *
 * <p>It runs in the JDK 17 pass only (the root POM's jdk25 profile leaves it out): it starts its
 * commands on JDK 25 itself where that matters, and each pass would pay again for the archive.
 */
class DistributionIT {

  @TempDir static Path dir;

  private static Path tarGz;
  private static Path dist;
  private static Path work;
  private static Path home;
  private static Path cache;
  private static Run firstShow;

  @BeforeAll
  static void unpack() throws Exception {
    tarGz = archive(".tar.gz");
    Path unpacked = Files.createDirectory(dir.resolve("unpacked"));
    Run tar =
        run(
            new ProcessBuilder("tar", "-xzf", tarGz.toAbsolutePath().toString())
                .directory(unpacked.toFile()),
            null);
    assertEquals(0, tar.code, tar.toString());
    try (Stream<Path> top = Files.list(unpacked)) {
      dist = top.collect(Collectors.toList()).get(0);
    }
    work = Files.createDirectory(dir.resolve("work"));
    home = dir.resolve("protochain-home");
    cache = dir.resolve("user-home").resolve(".cache");
    // The first run: it makes the home's catalog and this JDK's class data sharing archive.
    firstShow = protochain(thisJdk(), "catalog", "show");
  }

  /* ---- the commands, from the unpacked archive ---- */

  @Test
  @Timeout(120)
  void catalogShowRunsFromTheUnpackedArchiveAndMakesItsArchiveInTheUsersCache() throws Exception {
    assertEquals(0, firstShow.code, firstShow.toString());
    assertEquals(
        "protochain catalog show: created "
            + home.resolve("catalog.json")
            + " with the built-in base entries (generation 1)\n",
        firstShow.err);
    assertTrue(
        firstShow.out.contains(
            "1001  tcp4        base  -      inet/stream/tcp         delivery,order,graceful-close"),
        firstShow.toString());

    // A link the user made to the launcher, in a directory of its own (as on the PATH).
    Path bin = Files.createDirectories(dir.resolve("user-bin"));
    Path link = bin.resolve("protochain");
    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(link, dist.resolve("bin/protochain"));
    }
    // Found on the PATH, as the README's Install says.
    ProcessBuilder onPath = command(thisJdk(), Path.of("sh"), "-c", "protochain catalog show");
    onPath.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    Run again = run(onPath, null);
    assertEquals(0, again.code, again.toString());
    assertEquals("", again.err, "a second catalog show prints nothing on standard error");
    assertTrue(again.out.startsWith("catalog " + home.resolve("catalog.json")), again.out);

    // The archive (class data sharing, or an AOT cache on JDK 25): in the cache, private to the
    // user.
    Path cds = cache.resolve("protochain");
    assertEquals(
        Set.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE),
        Files.getPosixFilePermissions(cds));
    List<Path> archives = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(cds, "{cds-*.jsa,aot-*.aot}")) {
      s.forEach(archives::add);
    }
    assertTrue(!archives.isEmpty(), "no archive in " + cds);
    for (Path a : archives) {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(a);
      assertTrue(
          Collections.disjoint(
              mode, Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE)),
          a + " " + mode);
    }
  }

  @Test
  @Timeout(120)
  void theDemoRunsFromTheUnpackedArchive() throws Exception {
    Run demo = protochain(thisJdk(), "demo", "--bytes", "100000");
    assertEquals(0, demo.code, demo.toString());
    assertEquals("", demo.err);
    DemoCommandTest.assertEchoedAndUnloadedTopDown(demo.out, 100000);
  }

  @Test
  @Timeout(120)
  void listenAndConnectEchoOnAnEphemeralLoopbackPort() throws Exception {
    Path listenIn = Files.writeString(dir.resolve("listen.in"), "hello from listen\n");
    Path connectIn = Files.writeString(dir.resolve("connect.in"), "hello from connect\n");
    Path listenOut = dir.resolve("listen.out");
    Process listener =
        command(thisJdk(), dist.resolve("bin/protochain"), "listen", "--bind", "127.0.0.1", "0")
            .redirectInput(listenIn.toFile())
            .redirectOutput(listenOut.toFile())
            .start();
    try {
      BufferedReader listenErr =
          new BufferedReader(
              new InputStreamReader(listener.getErrorStream(), StandardCharsets.UTF_8));
      String listening = listenErr.readLine();
      Matcher m =
          Pattern.compile(
                  "protochain listen: listening on 127\\.0\\.0\\.1 port (\\d+) over 1001 'tcp4' \\(base\\)")
              .matcher(String.valueOf(listening));
      assertTrue(m.matches(), listening);
      Run connect =
          run(
              command(
                  thisJdk(), dist.resolve("bin/protochain"), "connect", "127.0.0.1", m.group(1)),
              connectIn);
      assertEquals(0, connect.code, connect.toString());
      assertEquals("hello from listen\n", connect.out);
      assertTrue(listener.waitFor(60, TimeUnit.SECONDS), "listen did not end");
      assertEquals(0, listener.exitValue());
      assertEquals("hello from connect\n", Files.readString(listenOut));
      assertEquals(
          "protochain connect: sent 19 bytes and received 18; the connection is closed",
          connect.err.lines().reduce((a, b) -> b).orElse(""),
          connect.err);
    } finally {
      listener.destroyForcibly();
    }
  }

  @Test
  @Timeout(120)
  void runAttachesTheAgentTheDistributionHolds() throws Exception {
    Path java = thisJdk().resolve("bin/java");
    Run run = protochain(thisJdk(), "run", "--", java.toString(), "-version");
    assertEquals(0, run.code, run.toString());
    assertTrue(
        run.err.startsWith(
            "Picked up JAVA_TOOL_OPTIONS: -javaagent:"
                + dist.resolve("lib/agent/protochain-agent.jar")
                + "="),
        run.err);
  }

  /**
   * The launcher maps an archive only from a cache directory this user owns and no one else can
   * write, never through a link, and never an archive others can write: a mapped archive's classes
   * run as the command's own. Whether it was mapped is read from the JVM's class loading log.
   */
  @Test
  @Timeout(180)
  void theArchiveIsMappedOnlyFromAPrivateCacheNeverThroughALink() throws Exception {
    // A private cache: the first run makes the archive, the second maps it.
    Path mine = dir.resolve("cache-private");
    assertEquals(0, showWithCache(mine, false).code);
    assertTrue(showWithCache(mine, true).out.contains(MAIN_FROM_ARCHIVE), "not mapped");
    Path archive = onlyArchive(mine.resolve("protochain"));

    // The cache's protochain directory a link to a private directory: nothing made there, nothing
    // mapped.
    Path linked = Files.createDirectory(dir.resolve("cache-linked"));
    Files.setPosixFilePermissions(linked, PosixFilePermissions.fromString("rwx------"));
    Path target = Files.createDirectory(dir.resolve("cache-link-target"));
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
    Files.createSymbolicLink(linked.resolve("protochain"), target);
    assertEquals(0, showWithCache(linked, false).code);
    Run throughLink = showWithCache(linked, true);
    assertEquals(0, throughLink.code, throughLink.toString());
    assertTrue(!throughLink.out.contains(MAIN_FROM_ARCHIVE), "mapped through a link");
    try (Stream<Path> made = Files.list(target)) {
      assertEquals(List.of(), made.collect(Collectors.toList()), "made through a link");
    }

    // The same archive, group-writable: left alone (not mapped, not replaced).
    Path groupFile = copyCache(mine, "cache-group-file");
    Path writable = groupFile.resolve("protochain").resolve(archive.getFileName());
    Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-rw-r--"));
    Run groupFileRun = showWithCache(groupFile, true);
    assertEquals(0, groupFileRun.code, groupFileRun.toString());
    assertTrue(!groupFileRun.out.contains(MAIN_FROM_ARCHIVE), "mapped a group-writable archive");
    assertEquals(Files.size(archive), Files.size(writable));
    assertEquals(
        PosixFilePermissions.fromString("rw-rw-r--"), Files.getPosixFilePermissions(writable));

    // The directory holding it writable by others: not mapped either.
    Path othersDir = copyCache(mine, "cache-others-dir");
    Files.setPosixFilePermissions(
        othersDir.resolve("protochain"), PosixFilePermissions.fromString("rwx---rwx"));
    Run othersRun = showWithCache(othersDir, true);
    assertEquals(0, othersRun.code, othersRun.toString());
    assertTrue(
        !othersRun.out.contains(MAIN_FROM_ARCHIVE), "mapped from a world-writable directory");
  }

  /**
   * A JDK that cannot make the archive (here one whose dump or AOT cache output fails) costs one
   * attempt, not one at every run: the launcher keeps a memo of the failure beside where the
   * archive would be, and the command runs without an archive, saying nothing.
   */
  @Test
  @Timeout(120)
  void anArchiveThatCannotBeMadeIsTriedOnce() throws Exception {
    Path jdk = Files.createDirectories(dir.resolve("jdk-that-cannot-dump").resolve("bin"));
    Files.copy(thisJdk().resolve("release"), jdk.getParent().resolve("release"));
    Path calls = dir.resolve("jdk-that-cannot-dump.calls");
    Path java = jdk.resolve("java");
    Files.writeString(
        java,
        "#!/bin/sh\n"
            + "echo \"$*\" >>'"
            + calls
            + "'\n"
            + "case \"$*\" in *-Xshare:dump* | *-XX:AOTCacheOutput*) exit 1 ;; esac\n"
            + "exec '"
            + thisJdk().resolve("bin/java")
            + "' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    Path cacheHome = dir.resolve("cache-cannot-dump");
    for (int run = 0; run < 3; run++) {
      ProcessBuilder pb =
          command(jdk.getParent(), dist.resolve("bin/protochain"), "catalog", "show");
      pb.environment().put("XDG_CACHE_HOME", cacheHome.toString());
      Run show = run(pb, null);
      assertEquals(0, show.code, show.toString());
      assertEquals("", show.err, show.toString());
      assertTrue(show.out.startsWith("catalog " + home.resolve("catalog.json")), show.out);
    }
    List<String> lines = Files.readAllLines(calls);
    String all = String.join("\n", lines);
    // One attempt (the training run's second JVM on JDK 25, the dump before), then the three
    // commands without a training run between them.
    assertEquals(1, lines.stream().filter(DistributionIT::makesAnArchive).count(), all);
    assertEquals(
        3, lines.stream().filter(l -> !l.contains("--home") && !makesAnArchive(l)).count(), all);
    try (Stream<Path> left = Files.list(cacheHome.resolve("protochain"))) {
      List<String> names =
          left.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
      assertEquals(1, names.size(), names.toString());
      assertTrue(
          names.get(0).matches("(cds|aot)-\\d+-\\d+\\.(jsa|aot)\\.failed"), names.toString());
    }
  }

  private static boolean makesAnArchive(String javaArguments) {
    return javaArguments.contains("-Xshare:dump") || javaArguments.contains("-XX:AOTCacheOutput");
  }

  /** The class loading log's line for the command's main class read from the mapped archive. */
  private static final String MAIN_FROM_ARCHIVE = "dev.protochain.cli.Main source: shared objects";

  /** {@code catalog show} with {@code XDG_CACHE_HOME} at {@code cache}, logging class loads. */
  private static Run showWithCache(Path cacheHome, boolean logClassLoads) throws Exception {
    ProcessBuilder pb = command(thisJdk(), dist.resolve("bin/protochain"), "catalog", "show");
    pb.environment().put("XDG_CACHE_HOME", cacheHome.toString());
    if (logClassLoads) {
      pb.environment().put("PROTOCHAIN_JAVA_OPTS", "-Xlog:class+load=info:stdout");
    }
    return run(pb, null);
  }

  private static Path onlyArchive(Path cacheDir) throws IOException {
    try (Stream<Path> files = Files.list(cacheDir)) {
      List<Path> archives =
          files
              .filter(f -> f.getFileName().toString().matches("(cds|aot)-.*\\.(jsa|aot)"))
              .collect(Collectors.toList());
      assertEquals(1, archives.size(), "archives in " + cacheDir + ": " + archives);
      return archives.get(0);
    }
  }

  /** Copies the cache {@code from} (its protochain directory, private, and the archive). */
  private static Path copyCache(Path from, String name) throws IOException {
    Path to = Files.createDirectory(dir.resolve(name));
    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
    Path toDir = Files.createDirectory(to.resolve("protochain"));
    Files.setPosixFilePermissions(toDir, PosixFilePermissions.fromString("rwx------"));
    Path archive = onlyArchive(from.resolve("protochain"));
    Files.copy(archive, toDir.resolve(archive.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
    return to;
  }

  /* ---- JDK 25 ---- */

  @Test
  @Timeout(120)
  void catalogShowPrintsNothingOnStandardErrorOnJdk25() throws Exception {
    Path jdk25 = Jdks.java25().getParent().getParent();
    Run first = protochain(jdk25, "catalog", "show"); // makes this JDK's archive
    assertEquals(0, first.code, first.toString());
    assertEquals("", first.err, "bin/protochain on " + jdk25 + " printed on standard error");
    Run show = protochain(jdk25, "catalog", "show");
    assertEquals(0, show.code, show.toString());
    assertEquals("", show.err, "bin/protochain on " + jdk25 + " printed on standard error");
    // On JDK 25 the archive is an AOT cache, made by a training run whose home is gone.
    List<String> made = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(cache.resolve("protochain"))) {
      s.forEach(p -> made.add(p.getFileName().toString()));
    }
    assertTrue(made.stream().anyMatch(n -> n.startsWith("aot-") && n.endsWith(".aot")), "" + made);
    assertTrue(
        made.stream().allMatch(n -> n.endsWith(".aot") || n.endsWith(".jsa")),
        "left in the cache: " + made);
  }

  /* ---- the archives ---- */

  @Test
  void theZipHoldsWhatTheTarGzHolds() throws Exception {
    Run tar = run(new ProcessBuilder("tar", "-tzf", tarGz.toAbsolutePath().toString()), null);
    assertEquals(0, tar.code, tar.toString());
    Set<String> tarEntries = withoutDirectories(tar.out.lines().collect(Collectors.toList()));
    Set<String> zipEntries;
    try (ZipFile zip = new ZipFile(archive(".zip").toFile())) {
      zipEntries =
          withoutDirectories(zip.stream().map(e -> e.getName()).collect(Collectors.toList()));
    }
    assertEquals(tarEntries, zipEntries);
    String top = dist.getFileName() + "/";
    assertTrue(tarEntries.contains(top + "LICENSE"), tarEntries.toString());
    assertTrue(tarEntries.contains(top + "NOTICE"), tarEntries.toString());
    assertTrue(tarEntries.contains(top + "bin/protochain"), tarEntries.toString());
    assertTrue(tarEntries.contains(top + "lib/agent/protochain-agent.jar"), tarEntries.toString());
  }

  /**
   * picocli is inside the CLI's jar as Java 17 class files, compiled from its sources (its own
   * jar's Java 5 class files stay out of JDK 25's AOT cache), and not beside it in lib/.
   */
  @Test
  void picocliIsInTheCliJarAsJava17ClassFiles() throws Exception {
    try (Stream<Path> lib = Files.list(dist.resolve("lib"))) {
      List<String> names =
          lib.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
      assertTrue(names.stream().noneMatch(n -> n.startsWith("picocli")), names.toString());
      String cliJar =
          names.stream().filter(n -> n.startsWith("protochain-cli-")).findFirst().orElseThrow();
      try (ZipFile zip = new ZipFile(dist.resolve("lib").resolve(cliJar).toFile())) {
        byte[] head = new byte[8];
        try (var in = zip.getInputStream(zip.getEntry("picocli/CommandLine.class"))) {
          assertEquals(8, in.readNBytes(head, 0, 8));
        }
        assertEquals(61, ((head[6] & 0xff) << 8) | (head[7] & 0xff), "class file major version");
      }
    }
  }

  private static Set<String> withoutDirectories(List<String> entries) {
    return entries.stream()
        .filter(e -> !e.endsWith("/"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /* ---- running ---- */

  private static Path thisJdk() {
    return Path.of(System.getProperty("java.home"));
  }

  /** Returns the archive the build made with this ending: {@code target/protochain-VERSION…}. */
  private static Path archive(String ending) throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      List<Path> found =
          files
              .filter(f -> f.getFileName().toString().matches("protochain-\\d.*"))
              .filter(f -> f.getFileName().toString().endsWith(ending))
              .collect(Collectors.toList());
      assertEquals(1, found.size(), "the distribution in target/: " + found);
      return found.get(0);
    }
  }

  private static Run protochain(Path jdk, String... args) throws Exception {
    return run(command(jdk, dist.resolve("bin/protochain"), args), null);
  }

  /**
   * Returns {@code launcher args...} run from the working directory {@code work}, with {@code
   * JAVA_HOME} at {@code jdk} and only the environment a user's shell would have beside: a home,
   * user home and cache of the test's own.
   */
  private static ProcessBuilder command(Path jdk, Path launcher, String... args) {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("PROTOCHAIN_") || k.startsWith("XDG_"));
    env.remove("JAVA_TOOL_OPTIONS");
    env.put("JAVA_HOME", jdk.toString());
    env.put("HOME", cache.getParent().toString());
    env.put("PROTOCHAIN_HOME", home.toString());
    return pb;
  }

  /** What one process printed and returned. */
  private record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private static Run run(ProcessBuilder pb, Path input) throws Exception {
    String name = "run-" + System.nanoTime();
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    if (input != null) {
      pb.redirectInput(input.toFile());
    }
    Process p = pb.start();
    if (input == null) {
      p.getOutputStream().close();
    }
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(pb.command() + " did not end");
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
