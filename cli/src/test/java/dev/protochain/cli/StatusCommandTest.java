package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.tools.attach.VirtualMachine;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.ChainRuntimeMXBean;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code protochain status} against real JVMs this test starts: one running a runtime over a
 * temporary home with sessions and a socket open ({@link StatusTarget}), one running no protochain,
 * and processes that are gone or not Java.
 */
@Timeout(120)
class StatusCommandTest {

  static final String COMMAND = StatusTarget.class.getName();

  @TempDir Path dir;

  /** A child JVM running {@link StatusTarget}; closing it ends it. */
  static final class Target implements AutoCloseable {
    final Process process;
    final Path err;
    final long pid;

    private Target(Process process, Path err) throws IOException {
      this.process = process;
      this.err = err;
      String line =
          new BufferedReader(
                  new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      if (line == null || !line.startsWith("pid ")) {
        throw new AssertionError("the target said " + line + "; stderr:\n" + Files.readString(err));
      }
      this.pid = Long.parseLong(line.substring("pid ".length()));
    }

    static Process start(Path dir, String... args) throws IOException {
      List<String> command = new ArrayList<>(List.of(COMMAND));
      command.addAll(List.of(args));
      return new ProcessBuilder(Cli.java(command))
          .redirectError(dir.resolve(args[0] + ".err").toFile())
          .start();
    }

    static Target ready(Path dir, Process started, String kind) throws IOException {
      return new Target(started, dir.resolve(kind + ".err"));
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void statusOfAJvmShowsItsRuntimesProvidersAndCountsAndTheListingFindsIt() throws Exception {
    // The JVMs start while this one works: each costs about a second.
    Process plainJvm = Target.start(dir, "plain");
    Path home = dir.resolve("home");
    Cli cli = new Cli(home);
    cli.ok("catalog", "install", "--layer", "coalesce", "--over", "tcp4");
    Process runtimeJvm = Target.start(dir, "runtime", home.toString());
    try (Target target = Target.ready(dir, runtimeJvm, "runtime");
        Target plain = Target.ready(dir, plainJvm, "plain")) {
      String command = COMMAND + " runtime " + home;

      Cli.Run text = cli.run("status", Long.toString(target.pid));
      assertEquals(0, text.code(), text.toString());
      assertEquals("", text.err());
      assertEquals(
          "process PID (COMMAND): 1 runtime\n"
              + "\n"
              + "runtime 'status-target'\n"
              + "  catalog      generation 2 of HOME, followed\n"
              + "  open         2 sessions, 1 socket\n"
              + "  undelivered  0 bytes\n"
              + "  failures     none\n"
              + "  entries in use:\n"
              + "    ID    NAME           SESSIONS  SOCKETS\n"
              + "    1001  tcp4           1         0\n"
              + "    3001  coalesce-tcp4  1         1\n"
              + "  providers:\n"
              + "    ID    NAME      STATE    COUNT  LOADS  LAST LOAD\n"
              + "    1001  tcp4      RUNNING  2      1      T ms\n"
              + "    2001  coalesce  RUNNING  1      1      T ms\n",
          text.stdout()
              .replace(command, "COMMAND")
              .replace(home.toString(), "HOME")
              .replace("process " + target.pid + " ", "process PID ")
              .replaceAll("\\d+\\.\\d ms", "T ms"));

      Cli.Run json = cli.run("status", "--json", Long.toString(target.pid));
      assertEquals(0, json.code(), json.toString());
      JsonNode jvm = new ObjectMapper().readTree(json.out());
      assertEquals(target.pid, jvm.get("pid").asLong());
      assertEquals(command, jvm.get("command").asText());
      assertEquals(1, jvm.get("runtimes").size(), jvm.toString());
      JsonNode runtime = jvm.get("runtimes").get(0);
      assertEquals("status-target", runtime.get("name").asText());
      assertEquals(
          "dev.protochain:name=status-target-1,type=ChainRuntime",
          runtime.get("objectName").asText());
      assertEquals(2, runtime.get("catalogGeneration").asLong());
      assertEquals(home.toString(), runtime.get("catalogHome").asText());
      assertTrue(runtime.get("followingCatalog").asBoolean());
      assertEquals(2, runtime.get("openSessions").asInt());
      assertEquals(1, runtime.get("openSockets").asInt());
      assertEquals(0, runtime.get("bytesUndelivered").asLong());
      assertEquals(0, runtime.get("failures").size());
      assertEquals(
          List.of("1001 tcp4 1 0", "3001 coalesce-tcp4 1 1"),
          rows(runtime.get("entries"), "entry", "name", "sessions", "sockets"));
      assertEquals(
          List.of("1001 tcp4 RUNNING 2 1", "2001 coalesce RUNNING 1 1"),
          rows(runtime.get("providers"), "entry", "name", "state", "count", "loads"));

      // The listing finds the runtime's JVM, not the plain one, whose agent it never starts. It
      // attaches here to this test's two JVMs only: attaching starts a JVM's "Attach Listener"
      // thread, which the thread-leak checks of a test JVM of another build on the same machine
      // would see. CI runs nothing beside this build, so there the whole machine is listed too.
      List<LocalJvms.Jvm> all = LocalJvms.list();
      List<LocalJvms.Jvm> ours =
          all.stream().filter(j -> j.pid() == target.pid || j.pid() == plain.pid).toList();
      assertEquals(
          List.of(
                  new LocalJvms.Jvm(target.pid, command),
                  new LocalJvms.Jvm(plain.pid, COMMAND + " plain"))
              .stream()
              .sorted(Comparator.comparingLong(LocalJvms.Jvm::pid))
              .toList(),
          ours);
      List<String> passedOver = new ArrayList<>();
      List<StatusCommand.JvmStatus> found = StatusCommand.list(ours, passedOver::add);
      assertEquals(List.of(), passedOver);
      assertListed(StatusCommand.table(found), target.pid, command, plain.pid);
      JsonNode listed =
          new ObjectMapper().readTree(StatusCommand.json(new StatusCommand.Listing(found)));
      assertEquals(1, listed.get("jvms").size(), listed.toString());
      assertEquals(target.pid, listed.get("jvms").get(0).get("pid").asLong());
      assertEquals(
          "status-target", listed.get("jvms").get(0).get("runtimes").get(0).get("name").asText());
      if ("true".equals(System.getenv("CI"))) {
        Cli.Run listing = cli.run("status");
        assertEquals(0, listing.code(), listing.toString());
        assertListed(listing.stdout(), target.pid, command, plain.pid);
      }

      Cli.Run none = cli.run("status", Long.toString(plain.pid));
      assertEquals(1, none.code(), none.toString());
      assertEquals(
          "protochain status: process "
              + plain.pid
              + " ("
              + COMMAND
              + " plain) runs no protochain runtime\n",
          none.err());
      assertEquals("", none.stdout());
      VirtualMachine vm = VirtualMachine.attach(Long.toString(plain.pid));
      try {
        assertNull(
            vm.getAgentProperties()
                .getProperty("com.sun.management.jmxremote.localConnectorAddress"),
            "status started the management agent of a JVM without protochain");
      } finally {
        vm.detach();
      }
    }
  }

  @Test
  void statusOfThisJvmReadsItsOwnServer() throws Exception {
    Path home = dir.resolve("home");
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .name("status-self")
            .store(CatalogStore.open(ProtochainHome.of(home)))
            .shutdownHook(false)
            .build()) {
      runtime.startup("tcp4").close();
      ObjectName view = new ObjectName(ChainRuntimeMXBean.TYPE + ",name=status-self-*");
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
          server.queryNames(view, null).isEmpty() && System.nanoTime() < deadline; ) {
        Thread.sleep(5); // the view registers soon after the build
      }
      Cli.Run r = new Cli(home).run("status", Long.toString(ProcessHandle.current().pid()));
      assertEquals(0, r.code(), r.toString());
      assertTrue(
          r.stdout()
              .contains(
                  "runtime 'status-self'\n"
                      + "  catalog      generation 1 of "
                      + home
                      + ", a snapshot (not followed)\n"
                      + "  open         0 sessions, 0 sockets\n"
                      + "  undelivered  0 bytes\n"
                      + "  failures     none\n"
                      + "  entries in use: none\n"
                      + "  providers:\n"
                      + "    ID    NAME  STATE     COUNT  LOADS  LAST LOAD\n"
                      + "    1001  tcp4  UNLOADED  0      1"),
          r.toString());
      assertEquals(ChainRuntimeMXBean.TYPE, System.getProperty(ChainRuntimeMXBean.JVM_MARKER));
    }
  }

  /* ---- errors: one line naming the PID ---- */

  @Test
  void aPidThatIsGoneIsOneLine() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertTrue(gone.waitFor(20, TimeUnit.SECONDS));
    Cli.Run r = new Cli(dir.resolve("home")).run("status", Long.toString(gone.pid()));
    assertEquals(1, r.code(), r.toString());
    assertEquals("protochain status: there is no process " + gone.pid() + "\n", r.err());
    assertEquals("", r.stdout());

    // A JVM that ends between the listing's enumeration and its attach is passed over, with why.
    List<String> passedOver = new ArrayList<>();
    assertEquals(
        List.of(),
        StatusCommand.list(List.of(new LocalJvms.Jvm(gone.pid(), "Gone")), passedOver::add));
    assertEquals(1, passedOver.size(), passedOver.toString());
    assertTrue(
        passedOver.get(0).startsWith("process " + gone.pid() + " (Gone) refused attach: "),
        passedOver.toString());
  }

  @Test
  void aProcessThatIsNotJavaIsOneLineAndLeftAlive() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "60").start();
    try {
      String name = sleep.info().command().orElseThrow();
      Cli.Run r = new Cli(dir.resolve("home")).run("status", Long.toString(sleep.pid()));
      assertEquals(1, r.code(), r.toString());
      assertEquals(
          "protochain status: process "
              + sleep.pid()
              + " ("
              + name
              + ") is not a Java virtual machine this user can attach to\n",
          r.err());
      // Attaching signals SIGQUIT, which would have ended it.
      assertTrue(sleep.isAlive(), "status ended a process that is not Java");
    } finally {
      sleep.destroyForcibly().waitFor();
    }
  }

  @Test
  void aPidThatIsNotANumberOrNotPositiveIsAUsageError() {
    Cli cli = new Cli(dir.resolve("home"));
    Cli.Run zero = cli.run("status", "0");
    assertEquals(2, zero.code(), zero.toString());
    assertEquals(
        "protochain status: PID must be a process id (a whole number from 1), not 0 (see"
            + " 'protochain status --help')\n",
        zero.err());
    Cli.Run word = cli.run("status", "java");
    assertEquals(2, word.code(), word.toString());
    assertTrue(word.err().startsWith("protochain status: Invalid value"), word.err());
  }

  /**
   * Asserts that {@code table} is the listing's: its head, a row for the runtime's JVM and none for
   * the plain one.
   */
  private static void assertListed(String table, long target, String command, long plain) {
    List<String> lines = table.lines().toList();
    assertTrue(lines.get(0).matches("PID +RUNTIMES +SESSIONS +SOCKETS +COMMAND"), table);
    assertTrue(
        lines.stream()
            .anyMatch(l -> l.matches(target + " +status-target +2 +1 +" + Pattern.quote(command))),
        table);
    assertFalse(lines.stream().anyMatch(l -> l.startsWith(plain + " ")), table);
  }

  private static List<String> rows(JsonNode array, String... fields) {
    List<String> out = new ArrayList<>();
    array.forEach(
        row -> {
          List<String> cells = new ArrayList<>();
          for (String f : fields) {
            cells.add(row.get(f).asText());
          }
          out.add(String.join(" ", cells));
        });
    return out;
  }
}
