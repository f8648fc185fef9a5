package dev.protochain.samples.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application module on the module path, over the jars this build made: the demo's echo runs
 * there with the runtime in its named module, and the runtime's {@code internal} packages are
 * closed to the application, both to the compiler and to reflection.
 */
@Timeout(120)
class ModulePathIT {

  static final String APP = "dev.protochain.samples.modules";

  @TempDir Path dir;

  @Test
  void eachPublishedModuleExportsItsApiPackagesOnly() throws Exception {
    Map<String, String> exports = new TreeMap<>();
    for (ModuleReference ref : ModuleFinder.of(Jvm.lib()).findAll()) {
      ModuleDescriptor d = ref.descriptor();
      if (d.name().startsWith("dev.protochain.")) {
        exports.put(
            d.name(),
            d.exports().stream()
                .map(e -> e.source() + (e.isQualified() ? " to " + e.targets() : ""))
                .collect(Collectors.toCollection(TreeSet::new))
                .toString());
      }
    }

    assertEquals(
        Map.of(
            "dev.protochain.api",
            "[dev.protochain.api, dev.protochain.api.spi]",
            "dev.protochain.base",
            "[dev.protochain.base]",
            "dev.protochain.layers",
            "[dev.protochain.layers.coalesce, dev.protochain.layers.deflate,"
                + " dev.protochain.layers.fault, dev.protochain.layers.filter,"
                + " dev.protochain.layers.metrics, dev.protochain.layers.ratelimit,"
                + " dev.protochain.layers.socks5, dev.protochain.layers.tls,"
                + " dev.protochain.layers.trace, dev.protochain.layers.websocket]",
            "dev.protochain.runtime",
            "[dev.protochain.runtime, dev.protochain.runtime.bridge,"
                + " dev.protochain.runtime.internal to [dev.protochain.testkit],"
                + " dev.protochain.runtime.store]"),
        exports);
  }

  /**
   * A module's {@code provides} and its jar's service file list the same providers: the module path
   * reads the one and the class path the other, so a provider missing from either would be found on
   * one path only.
   */
  @Test
  void eachModuleProvidesWhatItsServiceFileLists() throws Exception {
    String service = "dev.protochain.api.spi.Provider";
    int modules = 0;
    for (ModuleReference ref : ModuleFinder.of(Jvm.lib()).findAll()) {
      ModuleDescriptor d = ref.descriptor();
      if (!d.name().startsWith("dev.protochain.")) {
        continue;
      }
      Set<String> provided =
          d.provides().stream()
              .filter(p -> p.service().equals(service))
              .flatMap(p -> p.providers().stream())
              .collect(Collectors.toCollection(TreeSet::new));
      Set<String> listed = new TreeSet<>();
      try (ModuleReader reader = ref.open();
          InputStream in = reader.open("META-INF/services/" + service).orElse(null)) {
        if (in != null) {
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .map(String::strip)
              .filter(l -> !l.isEmpty() && !l.startsWith("#"))
              .forEach(listed::add);
        }
      }
      assertEquals(listed, provided, d.name() + ": provides against its service file");
      modules += provided.isEmpty() ? 0 : 1;
    }
    assertEquals(2, modules, "modules providing providers (base and layers)");
  }

  @Test
  void theDemosEchoRunsOnTheModulePath() throws Exception {
    Jvm.Result r =
        Jvm.java(
            dir,
            "--module-path",
            Jvm.path(),
            "-m",
            APP + "/" + APP + ".ModularEcho",
            "trace,coalesce",
            "1048576");

    assertEquals(
        "echoed 1048576 bytes over trace-coalesce-tcp4: verified (runtime in module"
            + " dev.protochain.runtime)\n",
        r.out(),
        r.err());
    assertEquals(0, r.code(), r.err());
  }

  static final String PROBE =
      "package test.probe;\n"
          + "import dev.protochain.api.ChainSocket; import dev.protochain.api.EntryKind;\n"
          + "import dev.protochain.api.spi.*;\n"
          + "@ProviderInfo(id = \"5b0c6a2e-0a51-4a0e-9d5e-2f1f3d6c7a10\", name = \"probe\","
          + " kind = EntryKind.LAYER)\n"
          + "public final class ProbeLayer extends AbstractLayer {\n"
          + "  @Override protected void onLoad(ProviderContext c) {\n"
          + "    ClassLoader l = ProbeLayer.class.getClassLoader();\n"
          + "    System.out.println(\"probe loaded by \" + (l.getName().startsWith(\"plugin \")"
          + " ? \"a plugin class loader\" : l.getName()) + \" in \""
          + " + (ProbeLayer.class.getModule().isNamed() ? ProbeLayer.class.getModule().getName()"
          + " : \"an unnamed module\") + \"; sees the api: \" + sees(\"dev.protochain.api.Session\")"
          + " + \", Guice: \" + sees(\"com.google.inject.Module\")"
          + " + \", the runtime: \" + sees(\"dev.protochain.runtime.ChainRuntime\")"
          + " + \", Guava: \" + sees(\"com.google.common.base.Strings\")"
          + " + \", SLF4J: \" + sees(\"org.slf4j.Logger\"));\n"
          + "  }\n"
          + "  static boolean sees(String name) {\n"
          + "    try { Class.forName(name, false, ProbeLayer.class.getClassLoader()); return true; }\n"
          + "    catch (ClassNotFoundException e) { return false; }\n"
          + "  }\n"
          + "  @Override public ChainSocket wrap(ChainSocket below, StartupContext c) {\n"
          + "    return new ForwardingSocket(below) {\n"
          + "      @Override protected ChainSocket wrapAccepted(ChainSocket a) { return wrap(a, c); }\n"
          + "    };\n"
          + "  }\n"
          + "}\n";

  /** Compiles {@link #PROBE} against the api alone and packs it as a plugin jar. */
  Path probePlugin() throws Exception {
    Path src = Files.createDirectories(dir.resolve("probe-src/test/probe"));
    Files.writeString(src.resolve("ProbeLayer.java"), PROBE);
    Path classes = Files.createDirectories(dir.resolve("probe-classes"));
    String api =
        Jvm.lib()
            .resolve(
                Jvm.libJars().stream()
                    .filter(j -> j.startsWith("protochain-api-"))
                    .findFirst()
                    .orElseThrow())
            .toString();
    int status =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "--release",
                "17",
                "-proc:none",
                "-cp",
                api,
                "-d",
                classes.toString(),
                src.resolve("ProbeLayer.java").toString());
    assertEquals(0, status, "the probe plugin compiles against the api alone");
    Path jar = dir.resolve("probe.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("test/probe/ProbeLayer.class"));
      out.write(Files.readAllBytes(classes.resolve("test/probe/ProbeLayer.class")));
      out.putNextEntry(new JarEntry("test/probe/ProbeLayer$1.class"));
      out.write(Files.readAllBytes(classes.resolve("test/probe/ProbeLayer$1.class")));
      out.putNextEntry(new JarEntry("META-INF/services/dev.protochain.api.spi.Provider"));
      out.write("test.probe.ProbeLayer\n".getBytes(StandardCharsets.UTF_8));
    }
    return jar;
  }

  @Test
  void aPluginLoadsInItsOwnClassLoaderSeeingTheApiAndGuiceOnlyAndUnloads() throws Exception {
    Jvm.Result r =
        Jvm.java(
            dir,
            "--module-path",
            Jvm.path(),
            "-m",
            APP + "/" + APP + ".PluginEcho",
            probePlugin().toString(),
            dir.resolve("home/plugins").toString());

    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size(), r.out() + r.err());
    assertEquals(
        "probe loaded by a plugin class loader in an unnamed module; sees the api: true, Guice:"
            + " true, the runtime: false, Guava: false, SLF4J: false",
        lines.get(0));
    assertEquals(
        "echoed 65536 bytes over probe-tcp4: verified (runtime in module dev.protochain.runtime)",
        lines.get(1));
    assertTrue(lines.get(2).startsWith("unload verified: 1 plugin class loader"), lines.get(2));
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void reflectionCannotReachAnInternalTypeFromTheApplicationModule() throws Exception {
    Jvm.Result r =
        Jvm.java(dir, "--module-path", Jvm.path(), "-m", APP + "/" + APP + ".ReachInternal");

    assertEquals(
        "refused: class "
            + APP
            + ".ReachInternal (in module "
            + APP
            + ") cannot access class dev.protochain.runtime.internal.BuiltinBases (in module"
            + " dev.protochain.runtime) because module dev.protochain.runtime does not export"
            + " dev.protochain.runtime.internal to module "
            + APP
            + "\n"
            + "refused: Unable to make public static dev.protochain.runtime.Catalog"
            + " dev.protochain.runtime.internal.BuiltinBases.catalog() accessible: module"
            + " dev.protochain.runtime does not \"exports dev.protochain.runtime.internal\" to module "
            + APP
            + "\n",
        r.out(),
        r.err());
    assertEquals(0, r.code());
  }

  @Test
  void onTheClassPathTheSameCallReachesIt() throws Exception {
    Jvm.Result r = Jvm.java(dir, "-cp", Jvm.path(), APP + ".ReachInternal");

    assertEquals(
        "reached dev.protochain.runtime.Catalog\nreached dev.protochain.runtime.Catalog\n",
        r.out(),
        r.err());
    assertEquals(3, r.code());
  }

  @Test
  void theCompilerRefusesAnApplicationModuleImportingAnInternalType() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/app/example"));
    Files.writeString(
        dir.resolve("src/app/module-info.java"),
        "module app { requires dev.protochain.runtime; }\n");
    Files.writeString(
        src.resolve("Peek.java"),
        "package example;\n"
            + "public class Peek {\n"
            + "  Object peek() { return dev.protochain.runtime.internal.BuiltinBases.catalog(); }\n"
            + "}\n");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    boolean compiled;
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      files.setLocation(StandardLocation.CLASS_PATH, List.of()); // not the test's own class path
      compiled =
          javac
              .getTask(
                  new StringWriter(),
                  files,
                  diagnostics,
                  List.of("--module-path", Jvm.path(), "-d", dir.resolve("classes").toString()),
                  null,
                  files.getJavaFileObjects(
                      dir.resolve("src/app/module-info.java"), src.resolve("Peek.java")))
              .call();
    }

    assertEquals(false, compiled);
    assertEquals(
        List.of(
            "Peek.java:3: package dev.protochain.runtime.internal is not visible\n"
                + "  (package dev.protochain.runtime.internal is declared in module"
                + " dev.protochain.runtime, which does not export it to module app)"),
        diagnostics.getDiagnostics().stream()
            .map(
                d ->
                    Path.of(d.getSource().getName()).getFileName()
                        + ":"
                        + d.getLineNumber()
                        + ": "
                        + d.getMessage(Locale.ROOT))
            .toList());
  }
}
