package dev.protochain.runtime.internal;

import com.google.inject.Module;
import dev.protochain.api.spi.Provider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The class loader of one load of one plugin jar. Its parent shares the JDK, the {@code
 * dev.protochain.api} packages and Guice ({@code com.google.inject}, {@code jakarta.inject}) with
 * the host and nothing else: the runtime, Guava, SLF4J and other plugins stay invisible, and a
 * plugin may bundle any version of any library it needs.
 *
 * <h2>Bundled libraries</h2>
 *
 * <p>A plugin bundles a library as a jar directly in its {@code lib/} directory ({@code
 * lib/NAME.jar}, see {@link JarLimits#isLibrary}). The loader looks in the plugin's own classes
 * first, then in its libraries in the order of their names. The libraries are read into memory when
 * the loader opens, within the bounds of {@link JarLimits} (which {@link
 * dev.protochain.runtime.PluginStore#inspect} checked already, at install and before the first
 * load): nothing is extracted, so no file is written, no entry name ever becomes a path, and the
 * digest of the plugin jar covers every byte the loader reads. A library is read as a plain jar:
 * its {@code META-INF/versions/} and {@code module-info.class} are left out. Its classes carry the
 * code source {@code jar:<plugin jar>!/lib/NAME.jar}; its resources are served from memory.
 */
public final class PluginClassLoader extends URLClassLoader {

  static {
    registerAsParallelCapable();
  }

  private static final ClassLoader SHARED = new SharedClassLoader(Provider.class.getClassLoader());

  private static final java.util.concurrent.atomic.AtomicLong LOADS =
      new java.util.concurrent.atomic.AtomicLong();

  private final Path jar;
  private final Map<String, JarLimits.Bundled> bundled;
  private final Map<String, ProtectionDomain> domains = new ConcurrentHashMap<>();
  private final URLStreamHandler memory;

  private PluginClassLoader(Path jar, URL url, Map<String, JarLimits.Bundled> bundled) {
    // The name is unique to this load: stack frames carry it, and name the load that ran them.
    super("plugin " + jar.getFileName() + "#" + LOADS.incrementAndGet(), new URL[] {url}, SHARED);
    this.jar = jar;
    this.bundled = bundled;
    this.memory = new BundledResources(bundled);
  }

  /**
   * Returns the live threads, other than the caller, that belong to this load: those whose context
   * class loader or class is this loader's, and those running any code of it (a frame of their
   * stack loaded by it) whatever their context loader, such as a thread started per socket with a
   * null context loader.
   */
  public List<Thread> threads() {
    List<Thread> out = new ArrayList<>();
    for (java.util.Map.Entry<Thread, StackTraceElement[]> e :
        Thread.getAllStackTraces().entrySet()) {
      Thread t = e.getKey();
      if (t == Thread.currentThread() || !t.isAlive()) {
        continue;
      }
      if (t.getContextClassLoader() == this
          || t.getClass().getClassLoader() == this
          || java.util.Arrays.stream(e.getValue())
              .anyMatch(f -> getName().equals(f.getClassLoaderName()))) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * Returns {@code 'worker' (TIMED_WAITING at java.lang.Thread.sleep(Native Method), in
   * test.Leaky.lambda$wrap$0(Leaky.java:9))}: the thread's name, state and top frame, and the
   * innermost frame of plugin code when the top one is not.
   */
  public static String describe(Thread t) {
    StackTraceElement[] stack = t.getStackTrace();
    StringBuilder sb =
        new StringBuilder("'").append(t.getName()).append("' (").append(t.getState());
    if (stack.length > 0) {
      sb.append(" at ").append(frame(stack[0]));
      for (int i = 0; i < stack.length; i++) {
        String loader = stack[i].getClassLoaderName();
        if (loader != null && loader.startsWith("plugin ")) {
          if (i > 0) {
            sb.append(", in ").append(frame(stack[i]));
          }
          break;
        }
      }
    }
    return sb.append(')').toString();
  }

  /** Returns {@code test.Foo.bar(Foo.java:12)}: a frame without its module or loader. */
  public static String frame(StackTraceElement frame) {
    return frame.getClassName()
        + "."
        + frame.getMethodName()
        + "("
        + (frame.isNativeMethod()
            ? "Native Method"
            : frame.getFileName() == null
                ? "Unknown Source"
                : frame.getFileName()
                    + (frame.getLineNumber() >= 0 ? ":" + frame.getLineNumber() : ""))
        + ")";
  }

  /**
   * Opens a loader over {@code jar} and the libraries it bundles; close it to release the jar.
   *
   * @throws IOException naming the jar and the entry if a bundled library is damaged or passes a
   *     bound of {@link JarLimits}, or if the jar cannot be read
   */
  public static PluginClassLoader open(Path jar) throws IOException {
    return new PluginClassLoader(jar, jar.toUri().toURL(), JarLimits.libraries(jar));
  }

  /** Returns the names of the libraries the jar bundles ({@code lib/NAME.jar}), sorted. */
  public List<String> libraries() {
    return bundled.values().stream().map(JarLimits.Bundled::library).distinct().sorted().toList();
  }

  /** Finds {@code name} in the plugin's own classes, then in its bundled libraries. */
  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    try {
      return super.findClass(name);
    } catch (ClassNotFoundException notOwn) {
      JarLimits.Bundled b = bundled.get(name.replace('.', '/') + ".class");
      if (b == null) {
        throw notOwn;
      }
      int dot = name.lastIndexOf('.');
      if (dot > 0 && getDefinedPackage(name.substring(0, dot)) == null) {
        try {
          definePackage(name.substring(0, dot), null, null, null, null, null, null, null);
        } catch (IllegalArgumentException definedMeanwhile) {
          // another thread of this parallel-capable loader defined it first
        }
      }
      return defineClass(name, b.bytes(), 0, b.bytes().length, domain(b.library()));
    }
  }

  private ProtectionDomain domain(String library) {
    return domains.computeIfAbsent(
        library,
        l -> {
          try {
            URL location = URI.create("jar:" + jar.toUri() + "!/" + l).toURL();
            return new ProtectionDomain(
                new CodeSource(location, (CodeSigner[]) null), null, this, null);
          } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException("no URL for " + l + " in " + jar, e);
          }
        });
  }

  /** Finds {@code name} in the plugin's own entries, then in its bundled libraries. */
  @Override
  public URL findResource(String name) {
    URL own = super.findResource(name);
    return own != null ? own : bundledResource(name);
  }

  @Override
  public Enumeration<URL> findResources(String name) throws IOException {
    List<URL> all = Collections.list(super.findResources(name));
    URL b = bundledResource(name);
    if (b != null) {
      all.add(b);
    }
    return Collections.enumeration(all);
  }

  private URL bundledResource(String name) {
    JarLimits.Bundled b = bundled.get(name);
    if (b == null) {
      return null;
    }
    try {
      return new URL("protochain-bundled", "", -1, "/" + b.library() + "!/" + name, memory);
    } catch (java.net.MalformedURLException e) {
      throw new IllegalStateException("no URL for " + name + " in " + b.library(), e);
    }
  }

  /** Serves the resources of bundled libraries from memory. */
  private static final class BundledResources extends URLStreamHandler {
    private final Map<String, JarLimits.Bundled> bundled;

    BundledResources(Map<String, JarLimits.Bundled> bundled) {
      this.bundled = bundled;
    }

    @Override
    protected URLConnection openConnection(URL u) throws IOException {
      String path = u.getPath();
      int bang = path.indexOf("!/");
      JarLimits.Bundled b = bang < 0 ? null : bundled.get(path.substring(bang + 2));
      if (b == null) {
        throw new java.io.FileNotFoundException(u.toString());
      }
      return new URLConnection(u) {
        @Override
        public void connect() {
          connected = true;
        }

        @Override
        public InputStream getInputStream() {
          return new ByteArrayInputStream(b.bytes());
        }

        @Override
        public long getContentLengthLong() {
          return b.bytes().length;
        }
      };
    }
  }

  /** Returns the jar. */
  public Path jar() {
    return jar;
  }

  /**
   * Returns the provider classes the jar registers under {@code
   * META-INF/services/dev.protochain.api.spi.Provider}, loaded but not initialised. The
   * registration file is read here rather than through {@link ServiceLoader}, which would insist on
   * a public no-argument constructor: a plugin's provider may take an {@code @Inject} constructor.
   *
   * @throws dev.protochain.api.ProtochainException {@code INVALID_PROVIDER} naming the jar and the
   *     problem if a registered class is missing or is not a provider
   * @throws IOException if the jar cannot be read
   */
  public List<Class<?>> providerTypes() throws IOException {
    List<Class<?>> out = new ArrayList<>();
    String file = "META-INF/services/" + Provider.class.getName();
    // The plugin's own registrations only: a bundled library registers no provider of the plugin.
    for (Enumeration<URL> urls = super.findResources(file); urls.hasMoreElements(); ) {
      URL url = urls.nextElement();
      java.net.URLConnection connection = url.openConnection();
      connection.setUseCaches(false); // a cached JarFile would keep the jar open after close()
      List<String> lines;
      try (java.io.InputStream in = connection.getInputStream()) {
        lines =
            new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
      }
      for (int i = 0; i < lines.size(); i++) {
        String name = lines.get(i).replaceFirst("#.*", "").trim();
        if (name.isEmpty()) {
          continue;
        }
        Class<?> type;
        try {
          type = Class.forName(name, false, this);
        } catch (ClassNotFoundException | LinkageError e) {
          throw invalid(
              "registers "
                  + name
                  + " ("
                  + file
                  + " line "
                  + (i + 1)
                  + "), which is not in the jar");
        }
        if (!Provider.class.isAssignableFrom(type)) {
          throw invalid(
              "registers "
                  + name
                  + " ("
                  + file
                  + " line "
                  + (i + 1)
                  + "), which does not implement "
                  + Provider.class.getName());
        }
        out.add(type);
      }
    }
    return out;
  }

  private dev.protochain.api.ProtochainException invalid(String problem) {
    return new dev.protochain.api.ProtochainException(
        dev.protochain.api.ProtochainException.Code.INVALID_PROVIDER,
        "plugin jar " + jar + " " + problem);
  }

  /** Returns the Guice modules the jar registers under {@code com.google.inject.Module}. */
  public List<Module> modules() {
    List<Module> out = new ArrayList<>();
    ServiceLoader.load(Module.class, this).forEach(out::add);
    return out;
  }

  /** Returns {@code PluginClassLoader[<sha>.jar]}. */
  @Override
  public String toString() {
    return "PluginClassLoader[" + jar.getFileName() + "]";
  }

  /** The parent of every plugin loader: the platform's classes plus the shared host packages. */
  private static final class SharedClassLoader extends ClassLoader {
    static {
      registerAsParallelCapable();
    }

    private final ClassLoader host;

    SharedClassLoader(ClassLoader host) {
      super("protochain-shared", ClassLoader.getPlatformClassLoader());
      this.host = host;
    }

    static boolean shared(String name) {
      return name.startsWith("dev.protochain.api.")
          || name.startsWith("com.google.inject.")
          || name.startsWith("jakarta.inject.");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (shared(name)) {
        return host.loadClass(name);
      }
      Class<?> c = super.loadClass(name, resolve);
      // On the module path the platform loader delegates to the application loader for the
      // packages of the modules defined to it (the runtime's, Guava's, SLF4J's): only classes of
      // the boot and platform loaders themselves are the JDK's.
      ClassLoader loader = c.getClassLoader();
      if (loader != null && loader != getParent()) {
        throw new ClassNotFoundException(name);
      }
      return c;
    }

    // Resources come from the platform only: the host's service registrations stay invisible.
    @Override
    public URL getResource(String name) {
      return getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      return getParent().getResources(name);
    }
  }
}
