package dev.protochain.archetype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Writing a layer", run as written: the shell blocks of its numbered steps, taken
 * from README.md, run in order by one {@code sh} in an empty directory, as a user would type them
 * in one terminal.
 *
 * <p>What the user is told to have beforehand, the test provides: the distribution this build made
 * ({@code cli/target/protochain-VERSION.tar.gz}) unpacked and its {@code bin} first on the {@code
 * PATH}, as "Install" says; and protochain's artifacts in the local Maven repository, as {@code mvn
 * install} of the checkout leaves them, here a fresh one in a temporary user home. That home's
 * Maven reads every other artifact from the build's own local repository as if it were Maven
 * Central (a {@code file:} repository: no network, and the build's repository is never written),
 * and its plugin-prefix metadata names the archetype plugin this build pins, as Central's would.
 * The protochain home is a temporary one too ({@code PROTOCHAIN_HOME}).
 *
 * <p>Two changes to the text, both for the test's sake: the port 7000 becomes a free one, and after
 * a block that starts a command in the background the script waits until that command says it is
 * listening, as a user would before typing the next one.
 *
 * <p>It runs in the JDK 17 pass only (the root POM's jdk25 profile leaves it out), like
 * DistributionIT: it builds a project with Maven, which runs on the JDK Maven runs on.
 */
class PluginWalkthroughIT {

  private static final String VERSION = "0.1.0-SNAPSHOT";
  private static final Path ROOT = Path.of("..");
  private static final Pattern UUID_IN_SOURCE =
      Pattern.compile(
          "id = \"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\"");

  @TempDir Path dir;

  @Test
  @Timeout(900)
  void theReadmesWalkthroughGeneratesBuildsInstallsAndCarriesBytesOverANewLayer() throws Exception {
    List<List<String>> steps = Readme.walkthroughSteps(ROOT.resolve("README.md"));
    assertTrue(
        steps.size() >= 4 && steps.size() <= 5,
        "'Writing a layer' takes at most 5 steps; it has " + steps.size());

    Path userHome = Files.createDirectories(dir.resolve("user"));
    seedMavenRepository(userHome);
    Path bin = unpackDistribution().resolve("bin");
    Path work = Files.createDirectories(dir.resolve("work"));
    Path protochainHome = dir.resolve("protochain-home");

    int port = freePort();
    StringBuilder script = new StringBuilder("set -e\n");
    for (List<String> blocks : steps) {
      for (String block : blocks) {
        String text = block.replaceAll("\\b7000\\b", Integer.toString(port));
        script.append(text);
        if (text.strip().endsWith("&")) {
          // The test's own line: wait, as the reader does, for the command to say it listens.
          script.append(
              "while ! grep -q 'listening on' \"$WALKTHROUGH_ERR\"; do kill -0 $! ; sleep 0.2;"
                  + " done\n");
        }
      }
    }
    Path scriptFile = Files.writeString(dir.resolve("walkthrough.sh"), script);
    Path out = dir.resolve("walkthrough.out");
    Path err = dir.resolve("walkthrough.err");

    ProcessBuilder pb =
        new ProcessBuilder("sh", scriptFile.toString())
            .directory(work.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("MAVEN_") || k.startsWith("PROTOCHAIN_"));
    env.remove("XDG_CACHE_HOME");
    env.put("HOME", userHome.toString());
    env.put("MAVEN_OPTS", "-Duser.home=" + userHome);
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("PATH", bin.toAbsolutePath() + File.pathSeparator + System.getenv("PATH"));
    env.put("PROTOCHAIN_HOME", protochainHome.toString());
    env.put("WALKTHROUGH_ERR", err.toString());
    Process p = pb.start();
    boolean ended = p.waitFor(840, TimeUnit.SECONDS);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    String log = "script:\n" + script + "\nstdout:\n" + tail(out) + "\nstderr:\n" + tail(err);
    assertTrue(ended, "the walkthrough did not end\n" + log);
    assertEquals(0, p.exitValue(), log);

    // Step 1 made the project the README describes.
    Path project = work.resolve("hello");
    Path layer = project.resolve("src/main/java/example/PassThroughLayer.java");
    assertTrue(Files.isRegularFile(layer), log);
    assertEquals(
        "example.PassThroughLayer\n",
        Files.readString(
            project.resolve(
                "src/main/resources/META-INF/services/dev.protochain.api.spi.Provider")));
    assertTrue(
        Files.isRegularFile(
            project.resolve("src/test/java/example/PassThroughLayerContractTest.java")));
    String id = layerId(layer);
    String projectReadme = Files.readString(project.resolve("README.md"));
    assertTrue(
        projectReadme.contains("--plugin target/hello-1.0-SNAPSHOT.jar --over tcp4")
            && projectReadme.contains("`" + id + "`"),
        projectReadme);
    // Step 2 ran the layer contract and made the plugin jar.
    assertTrue(
        Files.readString(
                project.resolve("target/surefire-reports/example.PassThroughLayerContractTest.txt"))
            .contains(", Failures: 0, Errors: 0,"),
        log);
    // Steps 3 to 5: installed, carried "hello" both ways, and unloaded.
    String stdout = Files.readString(out);
    String stderr = Files.readString(err);
    assertTrue(
        stdout.contains(
            "installed layer 'hello' 1.0.0 from the plugin as entry 2001 and chain 3001"
                + " 'hello-tcp4'"),
        log);
    assertTrue(stdout.endsWith("hello\n"), log);
    String verified = ": unload verified: 1 plugin class loader collected after ";
    assertTrue(stderr.contains("protochain listen" + verified), log);
    assertTrue(stderr.contains("protochain connect" + verified), log);
    assertTrue(
        Files.readString(protochainHome.resolve("catalog.json")).contains(id),
        "the temporary home's catalog names the layer " + id);

    // Each generation gets a UUID of its own: step 1 again, in another empty directory.
    Path again = Files.createDirectories(dir.resolve("again"));
    ProcessBuilder second =
        new ProcessBuilder("sh", "-c", "set -e\n" + steps.get(0).get(0))
            .directory(again.toFile())
            .redirectOutput(dir.resolve("again.out").toFile())
            .redirectErrorStream(true);
    second.environment().clear();
    second.environment().putAll(env);
    Process q = second.start();
    assertTrue(q.waitFor(300, TimeUnit.SECONDS), "the second generation did not end");
    assertEquals(0, q.exitValue(), tail(dir.resolve("again.out")));
    assertNotEquals(
        id, layerId(again.resolve("hello/src/main/java/example/PassThroughLayer.java")));
  }

  private static String layerId(Path source) throws IOException {
    Matcher m = UUID_IN_SOURCE.matcher(Files.readString(source));
    assertTrue(m.find(), source + " names a random UUID");
    return m.group(1);
  }

  /**
   * Fills the temporary user home's {@code .m2} as {@code mvn -B install -DskipTests} of the
   * checkout and Maven Central would: protochain's artifacts and the archetype in the local
   * repository, and every other artifact read from the build's local repository.
   */
  private static void seedMavenRepository(Path userHome) throws IOException {
    Path m2 = Files.createDirectories(userHome.resolve(".m2"));
    Path repo = m2.resolve("repository");
    install(repo, "protochain-parent", ROOT.resolve("pom.xml"), null);
    install(repo, "protochain-bom", ROOT.resolve("bom/pom.xml"), null);
    for (String module : List.of("api", "base-provider", "layers", "chain-runtime", "testkit")) {
      Path moduleDir = ROOT.resolve(module);
      install(
          repo,
          "protochain-" + module,
          moduleDir.resolve("pom.xml"),
          moduleDir.resolve("target/protochain-" + module + "-" + VERSION + ".jar"));
    }
    install(
        repo,
        "protochain-layer-archetype",
        Path.of("pom.xml"),
        Path.of("target/protochain-layer-archetype-" + VERSION + ".jar"));

    // The plugin-prefix and version metadata Maven reads from Central to resolve
    // archetype:generate.
    String pluginVersion = System.getProperty("protochain.archetype.plugin.version");
    Path plugins = Files.createDirectories(repo.resolve("org/apache/maven/plugins"));
    Files.writeString(
        plugins.resolve("maven-metadata-local.xml"),
        "<metadata><plugins><plugin><name>Apache Maven Archetype Plugin</name>"
            + "<prefix>archetype</prefix><artifactId>maven-archetype-plugin</artifactId>"
            + "</plugin></plugins></metadata>\n");
    Files.writeString(
        Files.createDirectories(plugins.resolve("maven-archetype-plugin"))
            .resolve("maven-metadata-local.xml"),
        "<metadata><groupId>org.apache.maven.plugins</groupId>"
            + "<artifactId>maven-archetype-plugin</artifactId><versioning><latest>"
            + pluginVersion
            + "</latest><release>"
            + pluginVersion
            + "</release><versions><version>"
            + pluginVersion
            + "</version></versions></versioning></metadata>\n");

    String buildRepository =
        Path.of(System.getProperty("protochain.build.repository")).toUri().toString();
    String repository =
        "<id>central</id><url>"
            + buildRepository
            + "</url><releases><checksumPolicy>ignore</checksumPolicy></releases>"
            + "<snapshots><enabled>false</enabled></snapshots>";
    Files.writeString(
        m2.resolve("settings.xml"),
        "<settings>\n"
            + "  <mirrors><mirror><id>central</id><mirrorOf>*</mirrorOf><url>"
            + buildRepository
            + "</url></mirror></mirrors>\n"
            + "  <profiles><profile><id>build-repository</id>\n"
            + "    <repositories><repository>"
            + repository
            + "</repository></repositories>\n"
            + "    <pluginRepositories><pluginRepository>"
            + repository
            + "</pluginRepository></pluginRepositories>\n"
            + "  </profile></profiles>\n"
            + "  <activeProfiles><activeProfile>build-repository</activeProfile></activeProfiles>\n"
            + "</settings>\n");
  }

  /** Puts a POM and its jar where {@code mvn install} would. */
  private static void install(Path repo, String artifactId, Path pom, Path jar) throws IOException {
    Path to =
        Files.createDirectories(
            repo.resolve("dev/protochain").resolve(artifactId).resolve(VERSION));
    Files.copy(pom, to.resolve(artifactId + "-" + VERSION + ".pom"));
    if (jar != null) {
      assertTrue(Files.isRegularFile(jar), "the build made " + jar);
      Files.copy(jar, to.resolve(artifactId + "-" + VERSION + ".jar"));
    }
  }

  /** The distribution, unpacked as "Install" says; returns its top directory. */
  private Path unpackDistribution() throws Exception {
    Path tarGz = ROOT.resolve("cli/target/protochain-" + VERSION + ".tar.gz").toAbsolutePath();
    assertTrue(Files.isRegularFile(tarGz), "the build made " + tarGz);
    Path opt = Files.createDirectories(dir.resolve("opt"));
    Process tar =
        new ProcessBuilder("tar", "-xzf", tarGz.toString(), "-C", opt.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(tar.waitFor(60, TimeUnit.SECONDS), "tar did not end");
    assertEquals(0, tar.exitValue(), output);
    return opt.resolve("protochain-" + VERSION);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path file) throws IOException {
    if (!Files.exists(file)) {
      return "(none)";
    }
    List<String> lines = Files.readAllLines(file);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
  }

  /** Reads the walkthrough out of README.md. */
  static final class Readme {
    private Readme() {}

    /**
     * Returns the {@code ```sh} blocks of each numbered step of "Writing a layer", in order,
     * without the indentation of the list item they sit in.
     */
    static List<List<String>> walkthroughSteps(Path readme) throws IOException {
      List<String> lines = Files.readAllLines(readme);
      int start = lines.indexOf("## Writing a layer");
      assertTrue(start >= 0, "README.md has a section '## Writing a layer'");
      List<List<String>> steps = new ArrayList<>();
      Pattern item = Pattern.compile("(\\d+)\\. .*");
      for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
        String line = lines.get(i);
        Matcher m = item.matcher(line);
        if (m.matches()) {
          assertEquals(steps.size() + 1, Integer.parseInt(m.group(1)), "step numbers: " + line);
          steps.add(new ArrayList<>());
        } else if (line.strip().equals("```sh") && !steps.isEmpty()) {
          int indent = line.indexOf('`');
          StringBuilder block = new StringBuilder();
          for (i++; !lines.get(i).strip().equals("```"); i++) {
            String body = lines.get(i);
            block.append(body.length() >= indent ? body.substring(indent) : body.strip());
            block.append('\n');
          }
          steps.get(steps.size() - 1).add(block.toString());
        } else if (!line.isBlank() && !line.startsWith(" ") && !steps.isEmpty()) {
          break; // the first paragraph after the list ends the walkthrough
        }
      }
      for (List<String> step : steps) {
        assertTrue(!step.isEmpty(), "every step of the walkthrough has a ```sh block: " + steps);
      }
      return steps;
    }
  }
}
