package dev.protochain.runtime.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Builds real plugin jars for tests: Java sources compiled against the test class path (the api,
 * Guice and the JDK), service registrations, and optionally bundled libraries ({@code lib/*.jar})
 * or entries of any name and content. Not thread-safe.
 */
public final class PluginJars {

  private final Map<String, String> sources = new LinkedHashMap<>();
  private final Map<String, List<String>> services = new LinkedHashMap<>();
  private final Map<String, byte[]> entries = new LinkedHashMap<>();
  private final List<Path> classpath = new ArrayList<>();

  /** Adds a source file of the class {@code className}. */
  public PluginJars source(String className, String code) {
    sources.put(className, code);
    return this;
  }

  /** Registers {@code implementation} for {@link java.util.ServiceLoader} under {@code service}. */
  public PluginJars service(String service, String implementation) {
    services.computeIfAbsent(service, k -> new ArrayList<>()).add(implementation);
    return this;
  }

  /** Registers {@code implementation} as a protochain provider. */
  public PluginJars provider(String implementation) {
    return service("dev.protochain.api.spi.Provider", implementation);
  }

  /** Bundles {@code jar} as the library {@code lib/<its file name>} and compiles against it. */
  public PluginJars library(Path jar) throws IOException {
    classpath.add(jar);
    return entry("lib/" + jar.getFileName(), Files.readAllBytes(jar));
  }

  /** Adds the entry {@code name} holding {@code bytes}, as it is. */
  public PluginJars entry(String name, byte[] bytes) {
    entries.put(name, bytes);
    return this;
  }

  /** Compiles the sources and writes the jar to {@code target}. */
  public Path build(Path target) throws IOException {
    Path classes = Files.createTempDirectory(target.getParent(), "classes");
    compile(classes);
    Set<String> written = new HashSet<>();
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target))) {
      try (var walk = Files.walk(classes)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          if (Files.isRegularFile(p)) {
            String name = classes.relativize(p).toString().replace('\\', '/');
            put(out, written, name, Files.readAllBytes(p));
          }
        }
      }
      for (Map.Entry<String, List<String>> s : services.entrySet()) {
        put(
            out,
            written,
            "META-INF/services/" + s.getKey(),
            (String.join("\n", s.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        put(out, written, e.getKey(), e.getValue());
      }
    }
    return target;
  }

  private static void put(JarOutputStream out, Set<String> written, String name, byte[] bytes)
      throws IOException {
    if (written.add(name)) {
      out.putNextEntry(new JarEntry(name));
      out.write(bytes);
      out.closeEntry();
    }
  }

  private void compile(Path classes) throws IOException {
    if (sources.isEmpty()) {
      return;
    }
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<java.io.File> cp = new ArrayList<>();
      for (String entry :
          System.getProperty("java.class.path").split(java.io.File.pathSeparator, -1)) {
        cp.add(new java.io.File(entry));
      }
      classpath.forEach(p -> cp.add(0, p.toFile()));
      files.setLocation(StandardLocation.CLASS_PATH, cp);
      files.setLocation(StandardLocation.CLASS_OUTPUT, List.of(classes.toFile()));
      List<JavaFileObject> units = new ArrayList<>();
      sources.forEach((name, code) -> units.add(new Source(name, code)));
      boolean ok =
          compiler
              .getTask(
                  null, files, diagnostics, List.of("--release", "17", "-proc:none"), null, units)
              .call();
      if (!ok) {
        throw new IllegalStateException(
            "plugin sources do not compile: " + diagnostics.getDiagnostics());
      }
    }
  }

  private static final class Source extends SimpleJavaFileObject {
    private final String code;

    Source(String className, String code) {
      super(
          URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension),
          Kind.SOURCE);
      this.code = code;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return code;
    }

    @Override
    public OutputStream openOutputStream() {
      throw new UnsupportedOperationException("a source is read, not written");
    }
  }

  /**
   * Returns the source of a pass-through layer plugin in {@code pkg}: its class {@code name}
   * (capitalised) + {@code Layer}, with a fresh UUID derived from the name. {@code body} is
   * inserted into the class; {@code extraInfo} into its {@code @ProviderInfo}.
   */
  public static String layer(String pkg, String name, String extraInfo, String body) {
    String cls = Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Layer";
    return "package "
        + pkg
        + ";\n"
        // One line, so that the line numbers tests assert in stack frames stay put.
        + "import dev.protochain.api.ChainSocket; import dev.protochain.api.EntryKind;\n"
        + "import dev.protochain.api.spi.*;\n"
        + "import java.io.IOException;\n"
        + "@ProviderInfo(id = \""
        + FakeProviderSource.idOf("plugin-" + name)
        + "\", name = \""
        + name
        + "\","
        + " kind = EntryKind.LAYER, version = \"1.0.0\""
        + extraInfo
        + ")\n"
        + "public final class "
        + cls
        + " extends AbstractLayer {\n"
        + "  "
        + body
        + "\n"
        + "  @Override public ChainSocket wrap(ChainSocket below, StartupContext c) { return new S(below, this); }\n"
        + "  static final class S extends ForwardingSocket {\n"
        + "    private final Object layer;\n"
        + "    S(ChainSocket below, Object layer) { super(below); this.layer = layer; }\n"
        + "    @Override protected ChainSocket wrapAccepted(ChainSocket a) { return new S(a, layer); }\n"
        + "    @Override public String toString() { return layer + \" -> \" + below(); }\n"
        + "  }\n"
        + "}\n";
  }
}
