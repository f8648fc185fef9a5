package dev.protochain.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
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
    Catalog catalog = catalogWith(jar, settings);
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

  /** Stores {@code jar} and returns the built-in catalog with its layer over mem-stream. */
  Catalog catalogWith(Path jar, Map<String, String> settings) throws IOException {
    PluginRecord record = store.add(jar);
    ProviderDescriptor d = PluginStore.inspect(jar);
    return Catalog.builtin()
        .withPlugin(record)
        .installLayer(d.name(), d.id(), settings, List.of(1005))
        .checkValid("test");
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

  static final String BUNDLING =
      PluginJars.layer(
          "test.bundling",
          "bundling",
          "",
          "@Override public String toString() {\n"
              + "    return com.google.common.base.Strings.repeat(\"ab\", 2) + \" guava \" + version()"
              + " + \" from \" + com.google.common.base.Strings.class.getProtectionDomain()"
              + ".getCodeSource().getLocation();\n"
              + "  }\n"
              + "  static String version() {\n"
              + "    try (java.io.InputStream in = BundlingLayer.class.getClassLoader()"
              + ".getResourceAsStream(\"META-INF/maven/com.google.guava/guava/pom.properties\")) {\n"
              + "      java.util.Properties p = new java.util.Properties(); p.load(in);"
              + " return p.getProperty(\"version\");\n"
              + "    } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }\n"
              + "  }");

  @Test
  void aPluginBundlingAnotherVersionOfAHostLibraryUsesItsOwn() throws Exception {
    Path oldGuava = Path.of("target", "test-libs", "guava-31.1-jre.jar");
    assertTrue(Files.isRegularFile(oldGuava), "maven-dependency-plugin copies " + oldGuava);
    Path jar =
        jar(
            "bundling",
            new PluginJars()
                .library(oldGuava)
                .source("test.bundling.BundlingLayer", BUNDLING)
                .provider("test.bundling.BundlingLayer"));
    Catalog catalog = catalogWith(jar, Map.of());
    Path stored = store.jar(catalog.plugins().get(0));
    UnloadCheck check = new UnloadCheck();
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .catalog(catalog)
            .source(check.track(store.source(catalog.plugins())))
            .shutdownHook(false)
            .build()) {
      try (Session session = runtime.startup("bundling-mem-stream")) {
        String seen = session.open().toString();

        assertTrue(
            seen.contains(
                ": abab guava 31.1-jre from jar:"
                    + stored.toUri()
                    + "!/lib/guava-31.1-jre.jar -> "),
            seen);
        String host = hostGuavaVersion();
        assertFalse(host.equals("31.1-jre"), "the host has another Guava: " + host);
        echo(session, "guava 31 inside, guava 33 outside");
      }
    }
    UnloadCheck.Report report = check.verify(50);
    assertTrue(report.clean(), report.toString());
    assertEquals(1, report.loads());
  }

  static String hostGuavaVersion() throws IOException {
    try (java.io.InputStream in =
        com.google.common.base.Strings.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/com.google.guava/guava/pom.properties")) {
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }

  /** Installs a plugin jar made of {@code entries} and returns the refusal, the store unchanged. */
  String refusal(String name, PluginJars entries) throws Exception {
    Path jar =
        jar(
            name,
            entries
                .source("test.bad.BadLayer", PluginJars.layer("test.bad", "bad", "", ""))
                .provider("test.bad.BadLayer"));
    String message = assertThrows(ProtochainException.class, () -> store.add(jar)).getMessage();
    assertFalse(Files.exists(store.directory()), "the store was left as it was");
    return message.replace(jar.toString(), "JAR");
  }

  @Test
  void aDamagedBundledLibraryIsRefusedNamingThePluginAndTheEntry() throws Exception {
    assertEquals(
        "plugin jar JAR has a bundled library lib/broken.jar that is not a jar: it holds no entry"
            + " to read",
        refusal("broken", new PluginJars().entry("lib/broken.jar", "not a zip".getBytes(UTF_8))));
  }

  @Test
  void aBundledLibraryNameLeavingLibIsRefused() throws Exception {
    assertEquals(
        "plugin jar JAR has the entry lib/../evil.jar, which is not a bundled library: a plugin"
            + " bundles a library as lib/NAME.jar, directly in lib/ (NAME of letters, digits and ."
            + " _ + -)",
        refusal("traversal", new PluginJars().entry("lib/../evil.jar", zipOf("a.txt", 1))));
    assertEquals(
        "plugin jar JAR has the entry lib/sub/inner.jar, which is not a bundled library: a plugin"
            + " bundles a library as lib/NAME.jar, directly in lib/ (NAME of letters, digits and ."
            + " _ + -)",
        refusal("nested", new PluginJars().entry("lib/sub/inner.jar", zipOf("a.txt", 1))));
  }

  @Test
  void aBundledLibraryEntryInflatingPastTheBoundIsRefused() throws Exception {
    assertEquals(
        "plugin jar JAR has an entry lib/big.jar!/blob.bin that inflates to more than 67108864"
            + " bytes, the most one entry of a plugin jar may hold (a zip bomb?)",
        refusal("big", new PluginJars().entry("lib/big.jar", zipOf("blob.bin", 65))));
  }

  /** Returns a zip holding {@code name}: {@code mib} MiB of zeros, deflated. */
  static byte[] zipOf(String name, int mib) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes)) {
      out.setLevel(9);
      out.putNextEntry(new java.util.zip.ZipEntry(name));
      byte[] chunk = new byte[1 << 20];
      for (int i = 0; i < mib; i++) {
        out.write(chunk);
      }
      out.closeEntry();
    }
    return bytes.toByteArray();
  }

  /* ---- logging ---- */

  @Test
  void aPluginLogsThroughItsContextIntoTheHostsSlf4jBackend() throws Exception {
    Path jar =
        jar(
            "logging",
            new PluginJars()
                .source(
                    "test.logging.LoggingLayer",
                    PluginJars.layer(
                        "test.logging",
                        "logging",
                        "",
                        "@Override protected void onLoad(ProviderContext c) {\n"
                            + "    c.logger().log(System.Logger.Level.INFO, \"loaded as {0}; sees"
                            + " SLF4J: {1}\", c.entry().name(), sees(\"org.slf4j.LoggerFactory\"));\n"
                            + "  }\n"
                            + "  static boolean sees(String name) {\n"
                            + "    try { Class.forName(name); return true; }"
                            + " catch (ClassNotFoundException e) { return false; }\n"
                            + "  }"))
                .provider("test.logging.LoggingLayer"));
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    // slf4j-simple, the test's backend, writes to whatever System.err is at the time.
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try (ChainRuntime runtime = runtimeWith(jar, Map.of())) {
      describeChainSocket(runtime, "logging-mem-stream");
    } finally {
      System.setErr(err);
    }

    List<String> lines =
        captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    assertEquals(
        1,
        lines.stream()
            .filter(
                l ->
                    l.endsWith(
                        " INFO test.logging.LoggingLayer - loaded as logging; sees SLF4J: false"))
            .count(),
        lines.toString());
    assertCollected(loaders.get(0));
  }

  /* ---- Guice ---- */

  @Test
  void aPluginsGuiceModuleIsInstalledInItsChildInjectorWithTheEntrysSettings() throws Exception {
    String layer =
        "package test.greet;\n"
            // One line, so that the line numbers the test asserts stay put.
            + "import dev.protochain.api.ChainSocket; import dev.protochain.api.EntryKind;\n"
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

  /* ---- provider ids bound to their origin ---- */

  static final String PLAINTEXT_MARK = "protochain.test.shadow.loaded";

  /**
   * A plugin 'shadow' declaring the id of the stock layer {@code stock}; its static initialiser
   * marks a system property, so a test sees whether its code ever ran.
   */
  Path shadowJar(String stock) throws IOException {
    UUID stockId = classpathId(stock);
    String source =
        PluginJars.layer(
                "test.shadow",
                "shadow",
                "",
                "static { System.setProperty(\"" + PLAINTEXT_MARK + "\", \"yes\"); }")
            .replace(
                dev.protochain.runtime.testing.FakeProviderSource.idOf("plugin-shadow").toString(),
                stockId.toString());
    return jar(
        "shadow",
        new PluginJars()
            .source("test.shadow.ShadowLayer", source)
            .provider("test.shadow.ShadowLayer"));
  }

  static UUID classpathId(String name) {
    return ProviderSource.classpath(PluginTest.class.getClassLoader()).descriptors().stream()
        .filter(d -> d.name().equals(name))
        .findFirst()
        .orElseThrow()
        .id();
  }

  @Test
  void aPluginClaimingTheIdOfAStockLayerIsRefusedAtInstall() throws Exception {
    PluginRecord shadow = store.add(shadowJar("tls"));

    ProtochainException e =
        assertThrows(ProtochainException.class, () -> store.record(Catalog.builtin(), shadow));

    assertEquals(ProtochainException.Code.INVALID_PROVIDER, e.code());
    assertEquals(
        "plugin 'shadow' 1.0.0 ("
            + classpathId("tls")
            + ") claims the id of provider 'tls' on the class path"
            + " (dev.protochain.layers.tls.TlsLayer); a provider id belongs to where it comes from,"
            + " and a plugin may take none that the class path or another plugin provides: give the"
            + " plugin an id of its own",
        e.getMessage());
  }

  @Test
  void aPluginClaimingTheIdOfAnotherInstalledPluginIsRefusedAtInstall() throws Exception {
    PluginRecord counter = store.add(counterJar());
    Catalog installed = store.record(Catalog.builtin(), counter);
    PluginRecord impostor =
        store.add(
            jar(
                "impostor",
                new PluginJars()
                    .source(
                        "test.counter.CounterLayer",
                        PluginJars.layer("test.counter", "counter", "", "int impostor;"))
                    .provider("test.counter.CounterLayer")));

    ProtochainException e =
        assertThrows(ProtochainException.class, () -> store.record(installed, impostor));

    assertEquals(
        impostor
            + " claims the id of "
            + counter
            + ", stored as "
            + counter.file()
            + "; a provider id belongs to where it comes from, and a plugin may take none that the"
            + " class path or another plugin provides: remove the entries of "
            + counter
            + " first, or give the plugin an id of its own",
        e.getMessage());
    assertEquals(installed, store.record(installed, counter)); // the same jar again: no change
  }

  @Test
  void aCatalogEditedToRecordAPluginWithAStockLayersIdNeverRunsThePlugin() throws Exception {
    PluginRecord shadow = store.add(shadowJar("trace"));
    // As a hand edit would leave it: the stock layer's chain, and the plugin recorded under its id.
    Catalog edited =
        Catalog.builtin()
            .installLayer("trace", classpathId("trace"), Map.of(), List.of(1005))
            .withPlugin(shadow)
            .checkValid("test");
    ProviderSource providers = store.source(edited.plugins());
    String refusal =
        shadow
            + " claims the id of provider 'trace' on the class path"
            + " (dev.protochain.layers.trace.TraceLayer); a provider id belongs to where it comes"
            + " from, and a plugin may take none that the class path or another plugin provides:"
            + " give the plugin an id of its own";

    try (ChainRuntime runtime =
        ChainRuntime.builder().catalog(edited).source(providers).shutdownHook(false).build()) {
      ProtochainException e =
          assertThrows(ProtochainException.class, () -> runtime.startup("trace-mem-stream"));
      assertEquals(ProtochainException.Code.INVALID_PROVIDER, e.code());
      assertEquals(refusal, e.getMessage());
    }
    assertEquals(
        List.of(
            "entry 2001 'trace' (layer) names provider "
                + classpathId("trace")
                + ", which is unusable: "
                + refusal
                + "."),
        edited
            .problems(
                ProviderSource.firstOf(
                    List.of(
                        providers, ProviderSource.classpath(PluginTest.class.getClassLoader()))))
            .stream()
            .map(CatalogProblem::message)
            .toList());
    assertEquals(null, System.getProperty(PLAINTEXT_MARK));
  }

  /* ---- the store's files ---- */

  @Test
  void aPluginStoreLinkingToAnotherDirectoryIsRefusedAndNothingIsWrittenThere() throws Exception {
    Path elsewhere = Files.createDirectory(home.resolve("elsewhere"));
    Files.createSymbolicLink(store.directory(), elsewhere);
    Path jar = counterJar();

    java.nio.file.FileSystemException e =
        assertThrows(java.nio.file.FileSystemException.class, () -> store.add(jar));

    assertEquals(
        store.directory()
            + ": is a symbolic link (to "
            + elsewhere
            + "); protochain follows no link in its home, which it did not make: remove the link"
            + " (its target is left as it is)",
        e.getMessage());
    try (Stream<Path> files = Files.list(elsewhere)) {
      assertEquals(List.of(), files.toList());
    }
  }

  @Test
  void aStoredJarThatIsALinkIsRefusedAndItsTargetKeepsItsBytes() throws Exception {
    Path jar = counterJar();
    Files.createDirectory(store.directory());
    Path victim = Files.writeString(home.resolve("victim"), "precious");
    Path link = store.directory().resolve(PluginStore.sha256(jar) + ".jar");
    Files.createSymbolicLink(link, victim);

    java.nio.file.FileSystemException e =
        assertThrows(java.nio.file.FileSystemException.class, () -> store.add(jar));

    assertEquals(
        link
            + ": is a symbolic link (to "
            + victim
            + "); protochain follows no link in its home, which it did not make: remove the link"
            + " (its target is left as it is)",
        e.getMessage());
    assertEquals("precious", Files.readString(victim));
    assertTrue(Files.isSymbolicLink(link));
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

      // The message changed with issue 11: each thread is named with its state and frames.
      assertFragments(
          e.getMessage(),
          "provider 'leaky' (entry 2001) failed to close its binding: java.io.IOException: plugin jar "
              + stored
              + " left 1 thread(s) running after unload: ['leaky-worker' (WAITING at ",
          ", in test.leaky.LeakyLayer.lambda$onLoad$0(LeakyLayer.java:9))]; a provider must stop its"
              + " threads in unload()");
      assertEquals(0, runtime.count(2001));
      var unused = socket.toString(); // releases the worker, so the test leaves no thread behind
      for (int i = 0; i < 100 && !threadsNamed("leaky-worker").isEmpty(); i++) {
        Thread.sleep(20);
      }
      assertEquals(List.of(), threadsNamed("leaky-worker"));
    }
  }

  static final String PER_SOCKET =
      "package test.persocket;\n"
          + "import dev.protochain.api.ChainSocket; import dev.protochain.api.EntryKind;\n"
          + "import dev.protochain.api.spi.*;\n"
          + "@ProviderInfo(id = \"6c1f3f0e-8a49-4bde-9d51-3c0a7c2f0b11\", name = \"persocket\","
          + " kind = EntryKind.LAYER, version = \"1.0.0\")\n"
          + "public final class PerSocketLayer extends AbstractLayer {\n"
          + "  @Override public ChainSocket wrap(ChainSocket below, StartupContext c) {\n"
          + "    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);\n"
          + "    Thread t = new Thread(() -> {\n"
          + "      running.countDown(); try { Thread.sleep(4_000); } catch (InterruptedException e) { }\n"
          + "    }, \"per-socket-worker\");\n"
          + "    t.setContextClassLoader(null);\n"
          + "    t.setDaemon(true);\n"
          + "    t.start();\n"
          + "    try { running.await(); } catch (InterruptedException e) { throw new IllegalStateException(e); }\n"
          + "    return new ForwardingSocket(below) {\n"
          + "      @Override protected ChainSocket wrapAccepted(ChainSocket a) { return a; }\n"
          + "    };\n"
          + "  }\n"
          + "}\n";

  @Test
  void aThreadStartedPerSocketWithoutAContextLoaderIsNamedAtUnloadAndByTheCheck() throws Exception {
    Path jar =
        jar(
            "persocket",
            new PluginJars()
                .source("test.persocket.PerSocketLayer", PER_SOCKET)
                .provider("test.persocket.PerSocketLayer"));
    Catalog catalog = catalogWith(jar, Map.of());
    PluginRecord record = catalog.plugins().get(0);
    UnloadCheck check = new UnloadCheck();
    String thread = "'per-socket-worker' (TIMED_WAITING at ";
    String where = ", in test.persocket.PerSocketLayer.lambda$wrap$0(PerSocketLayer.java:9))";
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .catalog(catalog)
            .source(check.track(store.source(catalog.plugins())))
            .shutdownHook(false)
            .build()) {
      Session session = runtime.startup("persocket-mem-stream");
      session.open().close();

      ProtochainException e = assertThrows(ProtochainException.class, session::close);

      assertFragments(
          e.getMessage(),
          "provider 'persocket' (entry 2001) failed to close its binding: java.io.IOException:"
              + " plugin jar "
              + store.jar(record)
              + " left 1 thread(s) running after unload: ["
              + thread,
          where + "]; a provider must stop its threads in unload()");
    }
    UnloadCheck.Report report = check.verify(3);
    assertEquals(1, report.liveThreads().size(), report.toString());
    assertFragments(report.liveThreads().get(0), thread, where);
    assertFragments(
        report.toString(),
        "unload NOT verified: 0 of 1 plugin class loaders collected after 3 collections; threads"
            + " still running: ["
            + thread,
        where + "]");
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

  /** Asserts that {@code actual} starts with the first fragment, ends with the last, in order. */
  static void assertFragments(String actual, String first, String last) {
    assertTrue(
        actual.startsWith(first)
            && actual.endsWith(last)
            && actual.length() >= first.length() + last.length(),
        "expected <" + first + "...> then <..." + last + "> but was <" + actual + ">");
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
