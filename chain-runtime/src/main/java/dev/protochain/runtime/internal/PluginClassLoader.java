package dev.protochain.runtime.internal;

import com.google.inject.Module;
import dev.protochain.api.spi.Provider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The class loader of one load of one plugin jar. Its parent shares the JDK, the {@code
 * dev.protochain.api} packages and Guice ({@code com.google.inject}, {@code jakarta.inject}) with
 * the host and nothing else: the runtime, Guava, SLF4J and other plugins stay invisible, and a
 * plugin may bundle any version of any library it needs.
 */
public final class PluginClassLoader extends URLClassLoader {

  static {
    registerAsParallelCapable();
  }

  private static final ClassLoader SHARED = new SharedClassLoader(Provider.class.getClassLoader());

  private static final java.util.concurrent.atomic.AtomicLong LOADS =
      new java.util.concurrent.atomic.AtomicLong();

  private final Path jar;

  private PluginClassLoader(Path jar, URL url) {
    // The name is unique to this load: stack frames carry it, and name the load that ran them.
    super("plugin " + jar.getFileName() + "#" + LOADS.incrementAndGet(), new URL[] {url}, SHARED);
    this.jar = jar;
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

  /** Opens a loader over {@code jar}; close it to release the jar. */
  public static PluginClassLoader open(Path jar) throws IOException {
    return new PluginClassLoader(jar, jar.toUri().toURL());
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
    for (Enumeration<URL> urls = findResources(file); urls.hasMoreElements(); ) {
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
      return super.loadClass(name, resolve);
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
