package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.internal.PluginClassLoader;
import dev.protochain.runtime.testing.PluginJars;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins: real jars compiled in the test, installed into a temporary home's plugin store, loaded
 * in isolation, pinned by digest, and provably unloaded.
 */
@Timeout(60)
class PluginTest {

  @TempDir Path home;

  PluginStore store;
  final List<WeakReference<ClassLoader>> loaders = new CopyOnWriteArrayList<>();

  @BeforeEach
  void createStore() {
    store = new PluginStore(home.resolve("plugins"));
  }

  /**
   * A plugin layer "counter": a worker thread from load to unload, and static state in its
   * toString.
   */
  static final String COUNTER =
      PluginJars.layer(
          "test.counter",
          "counter",
          "",
          "static int LOADS;\n"
              + "  private Thread worker;\n"
              + "  private final String sees = sees(\"dev.protochain.runtime.ChainRuntime\") + \",\""
              + " + sees(\"com.google.common.base.Preconditions\") + \",\" + sees(\"dev.protochain.api.Session\");\n"
              + "  static String sees(String name) {\n"
              + "    try { Class.forName(name); return \"sees \" + name; } catch (ClassNotFoundException e) { return \"blind to \" + name; }\n"
              + "  }\n"
              + "  @Override protected void onLoad(ProviderContext c) {\n"
              + "    LOADS++;\n"
              + "    worker = new Thread(() -> { try { Thread.sleep(Long.MAX_VALUE); } catch (InterruptedException e) { } },"
              + " \"counter-worker\");\n"
              + "    worker.start();\n"
              + "  }\n"
              + "  @Override protected void onUnload() throws IOException {\n"
              + "    worker.interrupt();\n"
              + "    try { worker.join(); } catch (InterruptedException e) { throw new IOException(e); }\n"
              + "  }\n"
              + "  @Override public String toString() { return \"counter loads=\" + LOADS + \" \" + sees; }");

  Path jar(String name, PluginJars jars) throws IOException {
    return jars.build(Files.createTempDirectory(home, "build").resolve(name + ".jar"));
  }

  Path counterJar() throws IOException {
    return jar(
        "counter",
        new PluginJars()
            .source("test.counter.CounterLayer", COUNTER)
            .provider("test.counter.CounterLayer"));
  }

  /**
   * Installs {@code jar} over mem-stream and returns a runtime whose plugin loaders are tracked.
   */
  ChainRuntime runtimeWith(Path jar, Map<String, String> settings) throws IOException {
    PluginRecord record = store.add(jar);
    ProviderDescriptor d = PluginStore.inspect(jar);
    Catalog catalog =
        Catalog.builtin()
            .withPlugin(record)
            .installLayer(d.name(), d.id(), settings, List.of(1005))
            .checkValid("test");
    ProviderSource plugins = store.source(catalog.plugins());
    ProviderSource tracking =
        new ProviderSource() {
          @Override
          public String name() {
            return plugins.name();
          }

          @Override
          public Optional<ProviderDescriptor> describe(UUID id) throws ProtochainException {
            return plugins.describe(id);
          }

          @Override
          public ProviderBinding bind(UUID id) throws ProtochainException {
            ProviderBinding b = plugins.bind(id);
            loaders.add(new WeakReference<>(b.classLoader()));
            return b;
          }
        };
    return ChainRuntime.builder().catalog(catalog).source(tracking).shutdownHook(false).build();
  }

  String describeChainSocket(ChainRuntime runtime, String chain) throws IOException {
    try (Session s = runtime.startup(chain);
        ChainSocket socket = s.open()) {
      return socket.toString();
    }
  }

  /* ---- load, run, unload ---- */

  @Test
  void aPluginLayerCarriesBytesAndIsUnloadedCompletelyAtCountZero() throws Exception {
    Path jar = counterJar();
    try (ChainRuntime runtime = runtimeWith(jar, Map.of())) {
      Path stored = store.jar(runtime.catalog().plugins().get(0));
      try (Session session = runtime.startup("counter-mem-stream")) {
        assertEquals(List.of("counter-worker"), threadsNamed("counter-worker"));
        assertTrue(openFiles().contains(stored.toRealPath().toString()), "the loaded jar is open");
        echo(session, "through a plugin layer");
      }
      assertEquals(List.of(), threadsNamed("counter-worker"));
      assertCollected(loaders.get(0));
      assertFalse(
          openFiles().contains(stored.toRealPath().toString()),
          "no descriptor points at the jar after unload");
    }
  }

  @Test
  void theNextStartupGetsAFreshLoaderAndStaticStateStartsOver() throws Exception {
    try (ChainRuntime runtime = runtimeWith(counterJar(), Map.of())) {
      String first = describeChainSocket(runtime, "counter-mem-stream");
      String second = describeChainSocket(runtime, "counter-mem-stream");
      assertTrue(first.contains("counter loads=1 "), first);
      assertTrue(second.contains("counter loads=1 "), second);
      assertEquals(2, loaders.size());
      assertCollected(loaders.get(0));
      assertCollected(loaders.get(1));
      assertEquals(2, runtime.loads(2001));
    }
  }

  /* ---- isolation ---- */

  @Test
  void aPluginSeesTheApiButNeitherTheRuntimeNorGuavaOfTheHost() throws Exception {
    try (ChainRuntime runtime = runtimeWith(counterJar(), Map.of())) {
      String seen = describeChainSocket(runtime, "counter-mem-stream");
      assertTrue(
          seen.contains(
              "blind to dev.protochain.runtime.ChainRuntime,blind to com.google.common.base.Preconditions,"
                  + "sees dev.protochain.api.Session"),
          seen);
    }
  }

  @Test
  void aPluginCannotLoadAnotherPluginsClasses() throws Exception {
    Path a = counterJar();
    Path b =
        jar(
            "other",
            new PluginJars()
                .source("test.other.OtherLayer", PluginJars.layer("test.other", "other", "", ""))
                .provider("test.other.OtherLayer"));
    try (PluginClassLoader la = PluginClassLoader.open(a);
        PluginClassLoader lb = PluginClassLoader.open(b)) {
      assertSame(Provider.class, la.loadClass("dev.protochain.api.spi.Provider"));
      assertEquals("test.other.OtherLayer", lb.loadClass("test.other.OtherLayer").getName());
      assertThrows(ClassNotFoundException.class, () -> la.loadClass("test.other.OtherLayer"));
      assertThrows(ClassNotFoundException.class, () -> lb.loadClass("test.counter.CounterLayer"));
      assertThrows(
          ClassNotFoundException.class,
          () -> la.loadClass("dev.protochain.runtime.internal.RealChainRuntime"));
    }
  }

  @Test
  void aPluginBundlingAnotherVersionOfAHostLibraryUsesItsOwn() throws Exception {
    Path oldGuava = Path.of("target", "test-libs", "guava-31.1-jre.jar");
    assertTrue(Files.isRegularFile(oldGuava), "maven-dependency-plugin copies " + oldGuava);
    Path jar =
        jar(
            "bundling",
            new PluginJars()
                .bundle(oldGuava)
                .source(
                    "test.bundling.BundlingLayer",
                    PluginJars.layer(
                        "test.bundling",
                        "bundling",
                        "",
                        "@Override public String toString() {\n"
                            + "    return com.google.common.base.Strings.repeat(\"ab\", 2) + \" from \""
                            + " + com.google.common.base.Strings.class.getProtectionDomain().getCodeSource().getLocation()"
                            + " + \" loader \" + System.identityHashCode(com.google.common.base.Strings.class);\n"
                            + "  }"))
                .provider("test.bundling.BundlingLayer"));
    try (ChainRuntime runtime = runtimeWith(jar, Map.of())) {
      try (Session session = runtime.startup("bundling-mem-stream")) {
        String seen = session.open().toString();
        Path stored = store.jar(runtime.catalog().plugins().get(0));
        assertTrue(seen.contains("abab from " + stored.toUri().toURL()), seen);
        assertFalse(
            seen.contains(
                "loader " + System.identityHashCode(com.google.common.base.Strings.class)),
            seen);
        echo(session, "guava 31 inside, guava 33 outside");
      }
      assertCollected(loaders.get(0));
    }
  }

  /* ---- Guice ---- */

  @Test
  void aPluginsGuiceModuleIsInstalledInItsChildInjectorWithTheEntrysSettings() throws Exception {
    String layer =
        "package test.greet;\n"
            + "import dev.protochain.api.ChainSocket;\n"
            + "import dev.protochain.api.EntryKind;\n"
            + "import dev.protochain.api.spi.*;\n"
            + "import jakarta.inject.Inject;\n"
            + "import jakarta.inject.Named;\n"
            + "@ProviderInfo(id = \"6f2b8f0e-2b7e-4c1a-9a53-3c8e7d0b1a01\", name = \"greet\", kind = EntryKind.LAYER,"
            + " settings = @SettingInfo(name = \"greeting\", defaultValue = \"hello\"))\n"
            + "public final class GreetLayer extends AbstractLayer {\n"
            + "  private final String text;\n"
            + "  @Inject public GreetLayer(Greeter greeter, @Named(\"greeting\") String greeting) {"
            + " text = greeter.greet(greeting); }\n"
            + "  @Override public ChainSocket wrap(ChainSocket below, StartupContext c) {\n"
            + "    return new ForwardingSocket(below) {\n"
            + "      @Override protected ChainSocket wrapAccepted(ChainSocket a) { return wrap(a, c); }\n"
            + "      @Override public String toString() { return text; }\n"
            + "    };\n"
            + "  }\n"
            + "}\n";
    Path jar =
        jar(
            "greet",
            new PluginJars()
                .source(
                    "test.greet.Greeter",
                    "package test.greet; public interface Greeter { String greet(String s); }")
                .source(
                    "test.greet.GreetModule",
                    "package test.greet;\n"
                        + "public final class GreetModule extends com.google.inject.AbstractModule {\n"
                        + "  @Override protected void configure() { bind(Greeter.class).toInstance(s -> s + \" from the module\"); }\n"
                        + "}\n")
                .source("test.greet.GreetLayer", layer)
                .provider("test.greet.GreetLayer")
                .service("com.google.inject.Module", "test.greet.GreetModule"));
    try (ChainRuntime runtime = runtimeWith(jar, Map.of("greeting", "bonjour"))) {
      assertTrue(
          describeChainSocket(runtime, "greet-mem-stream").contains("bonjour from the module"));
      assertCollected(loaders.get(0));
    }
  }

  /* ---- digests ---- */

  @Test
  void aJarChangedAfterInstallIsRefusedNamingTheFileAndBothDigests() throws Exception {
    try (ChainRuntime runtime = runtimeWith(counterJar(), Map.of())) {
      PluginRecord record = runtime.catalog().plugins().get(0);
      Path stored = store.jar(record);
      Files.write(stored, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
      String actual = PluginStore.sha256(stored);

      ProtochainException e =
          assertThrows(ProtochainException.class, () -> runtime.startup("counter-mem-stream"));

      assertEquals(ProtochainException.Code.INVALID_PROVIDER, e.code());
      assertEquals(
          "plugin jar "
              + stored
              + " of "
              + record
              + " has SHA-256 "
              + actual
              + ", but "
              + record.sha256()
              + " was recorded at install",
          e.getMessage());
      assertEquals(Map.of(), runtime.counts());
    }
  }

  @Test
  void addingAJarStoresItUnderItsDigestOnce() throws Exception {
    Path jar = counterJar();
    PluginRecord first = store.add(jar);
    PluginRecord second = store.add(jar);
    assertEquals(first, second);
    assertEquals(PluginStore.sha256(jar) + ".jar", first.file());
    try (Stream<Path> files = Files.list(store.directory())) {
      assertEquals(List.of(first.file()), files.map(p -> p.getFileName().toString()).toList());
    }
  }

  /* ---- broken plugins ---- */

  @Test
  void aJarWithoutADescriptorIsRefusedAndNothingIsStored() throws Exception {
    Path jar =
        jar(
            "bare",
            new PluginJars()
                .source(
                    "test.bare.BareLayer",
                    "package test.bare;\n"
                        + "public final class BareLayer extends dev.protochain.api.spi.AbstractLayer {\n"
                        + "  @Override public dev.protochain.api.ChainSocket wrap(dev.protochain.api.ChainSocket b,"
                        + " dev.protochain.api.spi.StartupContext c) { return b; }\n"
                        + "}\n")
                .provider("test.bare.BareLayer"));
    ProtochainException e = assertThrows(ProtochainException.class, () -> store.add(jar));
    assertEquals(ProtochainException.Code.INVALID_PROVIDER, e.code());
    assertEquals(
        "plugin jar "
            + jar
            + ": provider class test.bare.BareLayer has no @ProviderInfo descriptor",
        e.getMessage());
    assertFalse(Files.exists(store.directory()));
  }

  @Test
  void aJarRegisteringAMissingClassIsRefused() throws Exception {
    Path jar =
        jar(
            "typo",
            new PluginJars()
                .source("test.typo.TypoLayer", PluginJars.layer("test.typo", "typo", "", ""))
                .provider("test.typo.TypoLayr"));
    ProtochainException e = assertThrows(ProtochainException.class, () -> store.add(jar));
    assertEquals(
        "plugin jar "
            + jar
            + " registers test.typo.TypoLayr (META-INF/services/dev.protochain.api.spi.Provider"
            + " line 1), which is not in the jar",
        e.getMessage());
  }

  @Test
  void aJarWithNoProviderIsRefused() throws Exception {
    Path jar =
        jar(
            "empty",
            new PluginJars().source("test.empty.Nothing", "package test.empty; class Nothing {}"));
    assertEquals(
        "plugin jar "
            + jar
            + " registers no provider in META-INF/services/dev.protochain.api.spi.Provider",
        assertThrows(ProtochainException.class, () -> store.add(jar)).getMessage());
  }

  @Test
  void aJarSpeakingAnotherSpiVersionIsRefused() throws Exception {
    Path jar =
        jar(
            "future",
            new PluginJars()
                .source(
                    "test.future.FutureLayer",
                    PluginJars.layer(
                        "test.future",
                        "future",
                        ", minVersion = \"3.0\", maxVersion = \"3.1\"",
                        ""))
                .provider("test.future.FutureLayer"));
    ProtochainException e = assertThrows(ProtochainException.class, () -> store.add(jar));
    assertTrue(
        e.getMessage()
            .matches(
                "plugin jar .*future\\.jar holds provider 'future' 1\\.0\\.0 \\(layer, 3\\.0-3\\.1\\), "
                    + "which speaks SPI 3\\.0-3\\.1; this runtime speaks 1\\.0-2\\.2"),
        e.getMessage());
  }

  @Test
  void aThrowingConstructorFailsTheStartupNamingTheJarAndLeavesNothingLoaded() throws Exception {
    Path jar =
        jar(
            "ctor",
            new PluginJars()
                .source(
                    "test.ctor.CtorLayer",
                    PluginJars.layer(
                        "test.ctor",
                        "ctor",
                        "",
                        "public CtorLayer() { throw new IllegalStateException(\"no constructor today\"); }"))
                .provider("test.ctor.CtorLayer"));
    try (ChainRuntime runtime = runtimeWith(jar, Map.of())) {
      Path stored = store.jar(runtime.catalog().plugins().get(0));
      Catalog before = runtime.catalog();

      ProtochainException e =
          assertThrows(ProtochainException.class, () -> runtime.startup("ctor-mem-stream"));

      assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
      assertEquals(
          "provider 'ctor' (entry 2001) failed to load from plugin jar "
              + stored
              + ": java.lang.IllegalStateException: no constructor today",
          e.getMessage());
      assertSame(before, runtime.catalog());
      assertEquals(Map.of(), runtime.counts());
      assertCollected(loaders.get(0));
      assertFalse(openFiles().contains(stored.toRealPath().toString()));
    }
  }

  @Test
  void aThrowingStartupFailsNamingTheJarAndUnloadsThePlugin() throws Exception {
    Path jar =
        jar(
            "sulky",
            new PluginJars()
                .source(
                    "test.sulky.SulkyLayer",
                    PluginJars.layer(
                        "test.sulky",
                        "sulky",
                        "",
                        "@Override public void startup(StartupContext c) throws IOException { throw new IOException(\"not today\"); }"))
                .provider("test.sulky.SulkyLayer"));
    try (ChainRuntime runtime = runtimeWith(jar, Map.of())) {
      Path stored = store.jar(runtime.catalog().plugins().get(0));

      ProtochainException e =
          assertThrows(ProtochainException.class, () -> runtime.startup("sulky-mem-stream"));

      assertEquals(
          "startup of entry 3001 'sulky-mem-stream' (chain [2001, 1005]): provider 'sulky' (entry 2001)"
              + " from plugin jar "
              + stored
              + " at depth 0 failed to start: java.io.IOException: not today",
          e.getMessage());
      assertEquals(Map.of(2001, 0, 1005, 0), runtime.counts());
      assertCollected(loaders.get(0));
    }
  }

  @Test
  void aPluginLeavingAThreadRunningFailsItsCleanupNamingTheThread() throws Exception {
    Path jar =
        jar(
            "leaky",
            new PluginJars()
                .source(
                    "test.leaky.LeakyLayer",
                    PluginJars.layer(
                        "test.leaky",
                        "leaky",
                        "",
                        "static final java.util.concurrent.CountDownLatch STOP = new java.util.concurrent.CountDownLatch(1);\n"
                            + "  @Override protected void onLoad(ProviderContext c) {\n"
                            + "    Thread t = new Thread(() -> { try { STOP.await(); } catch (InterruptedException e) { } }, \"leaky-worker\");\n"
                            + "    t.setDaemon(true); t.start();\n"
                            + "  }\n"
                            + "  @Override public String toString() { STOP.countDown(); return \"stopped\"; }"))
                .provider("test.leaky.LeakyLayer"));
    try (ChainRuntime runtime = runtimeWith(jar, Map.of())) {
      Session session = runtime.startup("leaky-mem-stream");
      ChainSocket socket = session.open();
      Path stored = store.jar(runtime.catalog().plugins().get(0));

      ProtochainException e = assertThrows(ProtochainException.class, session::close);

      assertEquals(
          "provider 'leaky' (entry 2001) failed to close its binding: java.io.IOException: plugin jar "
              + stored
              + " left 1 thread(s) running after unload: [leaky-worker]; a provider must stop its threads in unload()",
          e.getMessage());
      assertEquals(0, runtime.count(2001));
      socket.toString(); // releases the worker, so the test leaves no thread behind
      for (int i = 0; i < 100 && !threadsNamed("leaky-worker").isEmpty(); i++) {
        Thread.sleep(20);
      }
      assertEquals(List.of(), threadsNamed("leaky-worker"));
    }
  }

  /* ---- helpers ---- */

  static void echo(Session session, String text) throws IOException {
    try (ChainSocket listener = session.open();
        ChainSocket client = session.open()) {
      listener.bind(null);
      listener.listen(1);
      client.connect(listener.localAddress());
      try (ChainSocket server = listener.accept()) {
        client.sendFully(ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        client.shutdownOutput();
        ByteBuffer got = ByteBuffer.allocate(text.length());
        assertTrue(server.receiveFully(got));
        assertEquals(text, new String(got.array(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }

  static List<String> threadsNamed(String name) {
    List<String> out = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name) && t.isAlive()) {
        out.add(t.getName());
      }
    }
    return out;
  }

  /** Returns the targets of this process's open file descriptors. */
  static List<String> openFiles() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          out.add(Files.readSymbolicLink(fd).toString());
        } catch (IOException closedMeanwhile) {
          // The descriptor closed between listing and reading: it points at nothing now.
        }
      }
    }
    return out;
  }

  /** Asserts that {@code ref} is cleared within a bounded number of collections. */
  static void assertCollected(WeakReference<?> ref) throws InterruptedException {
    for (int i = 0; i < 50 && ref.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertTrue(
        ref.get() == null,
        "the plugin class loader is still reachable after 50 collections: " + ref.get());
  }
}
