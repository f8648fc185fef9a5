package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.runtime.PluginStore;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import dev.protochain.runtime.store.StoredCatalog;
import dev.protochain.runtime.testing.PluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code catalog install --plugin} with plugins that misbehave while they are checked: the check
 * runs in a separate JVM with a deadline, outside the catalog lock, and a refused plugin leaves the
 * catalog and the plugin store as they were.
 */
@Timeout(120)
class PluginInstallTest {

  @TempDir Path dir;

  Cli cli;
  CatalogStore store;
  StoredCatalog before;

  @BeforeEach
  void createHome() throws Exception {
    Path home = dir.resolve("home");
    cli = new Cli(home);
    store = CatalogStore.open(ProtochainHome.of(home));
    before = store.read();
  }

  /** Builds the plugin layer {@code name} whose class holds {@code body}. */
  Path plugin(String name, String body) throws Exception {
    String cls = Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Layer";
    return new PluginJars()
        .source("test." + name + "." + cls, PluginJars.layer("test." + name, name, "", body))
        .provider("test." + name + "." + cls)
        .build(Files.createDirectory(dir.resolve(name)).resolve(name + ".jar"));
  }

  /** Returns the line of the layer's source holding {@code text}, as a stack frame shows it. */
  static int line(String name, String body, String text) {
    List<String> lines = PluginJars.layer("test." + name, name, "", body).lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i + 1;
      }
    }
    throw new AssertionError(text + " is not in the source");
  }

  void assertNothingInstalled() throws Exception {
    assertEquals(before, store.read());
    assertStoreEmpty();
  }

  void assertStoreEmpty() throws Exception {
    Path plugins = cli.home().resolve("plugins");
    if (Files.exists(plugins)) {
      try (Stream<Path> files = Files.list(plugins)) {
        assertEquals(List.of(), files.toList());
      }
    }
  }

  @Test
  void aPluginCallingSystemExitIsRefusedNamingTheCallerAndLeavesNothing() throws Exception {
    String body = "@Override protected void onLoad(ProviderContext c) { System.exit(42); }";
    Path jar = plugin("exit", body);

    Cli.Run run = cli.run("catalog", "install", "--plugin", jar.toString(), "--over", "mem-stream");

    assertEquals(1, run.code(), run.toString());
    assertEquals(
        "protochain catalog install: installing layer 'exit': plugin code ended the JVM checking"
            + " entry 3001 'exit-mem-stream' (chain [2001, 1005]) with System.exit(42), called at"
            + " test.exit.ExitLayer.onLoad(ExitLayer.java:"
            + line("exit", body, "System.exit")
            + "); a plugin must never end the JVM; nothing was installed\n",
        run.err());
    assertNothingInstalled();
  }

  @Test
  void aHangingPluginIsStoppedAtTheDeadlineWhileAnotherWriterGoesOn() throws Exception {
    String body =
        "@Override protected void onLoad(ProviderContext c) {\n"
            + "    try { Thread.sleep(Long.MAX_VALUE); } catch (InterruptedException e) { }\n"
            + "  }";
    Path jar = plugin("hang", body);

    CompletableFuture<Cli.Run> hanging =
        CompletableFuture.supplyAsync(
            () ->
                cli.run(
                    "catalog",
                    "install",
                    "--plugin",
                    jar.toString(),
                    "--over",
                    "mem-stream",
                    "--check-timeout",
                    "5s"));
    awaitTrialJvm(); // the check's JVM has started; it hangs in the plugin's load
    Cli.Run other =
        cli.run("--lock-wait", "1s", "catalog", "install", "--layer", "trace", "--over", "tcp4");
    assertFalse(hanging.isDone(), "the hanging install ended before the other writer ran");
    assertEquals(0, other.code(), other.toString());

    Cli.Run run = hanging.get();
    assertEquals(1, run.code(), run.toString());
    assertEquals(
        "protochain catalog install: installing layer 'hang': entry 3001 'hang-mem-stream' (chain"
            + " [2001, 1005]) did not start and clean up within 5s (stuck at test.hang.HangLayer.onLoad(HangLayer.java:"
            + line("hang", body, "Thread.sleep")
            + ")); the check was stopped; nothing was installed\n",
        run.err());
    StoredCatalog after = store.read();
    assertEquals(before.generation() + 1, after.generation());
    assertTrue(
        after.catalog().entry(3001).orElseThrow().name().equals("trace-tcp4"), after.toString());
    assertEquals(List.of(), after.catalog().plugins());
    assertStoreEmpty();
  }

  /** Waits until this JVM has started the JVM that tries new chains out (the plugin trial). */
  private static void awaitTrialJvm() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ProcessHandle.current()
        .descendants()
        .noneMatch(p -> p.info().commandLine().orElse("").contains("PluginTrial"))) {
      assertTrue(System.nanoTime() < deadline, "no plugin trial JVM started within 30 s");
      Thread.sleep(20);
    }
  }

  @Test
  void connectWarnsOfAFailedUnloadWithoutCheckUnload() throws Exception {
    // The plugin hands the JDK's system properties an object of its own: its loader stays.
    String body =
        "@Override protected void onLoad(ProviderContext c) {\n"
            + "    System.getProperties().put(\"protochain.test.pin\", new Object() { });\n"
            + "  }";
    Path jar = plugin("pin", body);
    Cli.Run install = cli.run("catalog", "install", "--plugin", jar.toString(), "--over", "tcp4");
    assertEquals(0, install.code(), install.toString());

    try (java.net.ServerSocket server =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> peer =
          CompletableFuture.runAsync(
              () -> {
                try (java.net.Socket s = server.accept()) {
                  s.getInputStream().readAllBytes();
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      Cli.Run run =
          cli.run(
              "connect",
              "--entry",
              "pin-tcp4",
              "127.0.0.1",
              Integer.toString(server.getLocalPort()));
      peer.get();

      assertEquals(0, run.code(), run.toString());
      assertEquals(
          "protochain connect: warning: unload NOT verified: 0 of 1 plugin class loaders collected"
              + " after 100 collections",
          run.err().lines().reduce((a, b) -> b).orElseThrow(),
          run.err());
    }
  }

  @Test
  void aPluginClaimingTheIdOfTheStockTlsLayerIsRefusedAndLeavesNothing() throws Exception {
    Path jar =
        new PluginJars()
            .source(
                "test.shadow.ShadowLayer",
                PluginJars.layer("test.shadow", "shadow", "", "")
                    .replace(
                        dev.protochain.runtime.testing.FakeProviderSource.idOf("plugin-shadow")
                            .toString(),
                        tlsId()))
            .provider("test.shadow.ShadowLayer")
            .build(Files.createDirectory(dir.resolve("shadow")).resolve("shadow.jar"));

    Cli.Run run = cli.run("catalog", "install", "--plugin", jar.toString(), "--over", "tcp4");

    assertEquals(1, run.code(), run.toString());
    assertEquals(
        "protochain catalog install: plugin 'shadow' 1.0.0 ("
            + tlsId()
            + ") claims the id of provider 'tls' on the class path"
            + " (dev.protochain.layers.tls.TlsLayer); a provider id belongs to where it comes from,"
            + " and a plugin may take none that the class path or another plugin provides: give the"
            + " plugin an id of its own\n",
        run.err());
    assertNothingInstalled();
  }

  static String tlsId() {
    return dev.protochain.runtime.ProviderSource.classpath(PluginInstallTest.class.getClassLoader())
        .descriptors()
        .stream()
        .filter(d -> d.name().equals("tls"))
        .findFirst()
        .orElseThrow()
        .id()
        .toString();
  }

  @Test
  void aFailingStaticInitializerIsNamedWithItsCause() throws Exception {
    String body =
        "static final int STATE = boom();\n"
            + "  static int boom() { throw new IllegalStateException(\"no static state today\"); }";
    Path jar = plugin("boom", body);
    String stored =
        cli.home().resolve("plugins").resolve(PluginStore.sha256(jar) + ".jar").toString();

    Cli.Run run = cli.run("catalog", "install", "--plugin", jar.toString(), "--over", "mem-stream");

    assertEquals(1, run.code(), run.toString());
    assertEquals(
        "protochain catalog install: installing layer 'boom': entry 3001 'boom-mem-stream' (chain"
            + " [2001, 1005]) does not start: provider 'boom' (entry 2001) failed to load from plugin jar "
            + stored
            + ": the static initializer of test.boom.BoomLayer failed:"
            + " java.lang.IllegalStateException: no static state today; nothing was installed\n",
        run.err());
    assertNothingInstalled();
  }
}
