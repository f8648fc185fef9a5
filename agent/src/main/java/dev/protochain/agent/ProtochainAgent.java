package dev.protochain.agent;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.SocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.VisibilityBridgeStrategy;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.LatentMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * The {@code -javaagent} entry point: layers the TCP connections of an unmodified Java program over
 * a protochain chain.
 *
 * <p>At premain it defines the small {@link dev.protochain.agent.boot.Hook} in the bootstrap class
 * loader, unpacks the protochain runtime nested in this jar ({@code protochain-agent/lib/*.jar})
 * into an owner-only temporary directory and loads it in a class loader of its own (so the
 * program's own Guava or Guice never meet ours), starts it with the agent's arguments, and then
 * advises the two places every TCP connect of the JDK passes. A wrong argument stops the JVM with
 * one line naming it and the fix. Arguments: see the module README.
 */
public final class ProtochainAgent {

  private static final String LIB = "protochain-agent/lib/";
  private static final String CORE = "dev.protochain.agent.internal.AgentCore";
  private static final String[] BOOT = {
    "dev.protochain.agent.boot.Hook", "dev.protochain.agent.boot.Hook$Handler"
  };

  /** The JDK classes the agent advises: NIO channels, java.net sockets, and their peer getters. */
  private static final String[] ADVISED = {
    "sun.nio.ch.SocketChannelImpl", "sun.nio.ch.NioSocketImpl", "java.net.SocketImpl"
  };

  private static final String NEXUS_DISABLED =
      net.bytebuddy.dynamic.Nexus.class.getPackageName().replace(".dynamic", "")
          + ".nexus.disabled";

  private ProtochainAgent() {}

  /** Starts the agent before {@code main}. */
  public static void premain(String args, Instrumentation instrumentation) {
    start(args, instrumentation);
  }

  /** Starts the agent in a running JVM (dynamic attach). */
  public static void agentmain(String args, Instrumentation instrumentation) {
    start(args, instrumentation);
  }

  private static void start(String args, Instrumentation instrumentation) {
    String problem;
    try {
      long t0 = System.nanoTime();
      defineBootClasses(instrumentation);
      Path jar =
          Path.of(
              ProtochainAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      ClassLoader loader = isolatedLoader(jar);
      long t1 = System.nanoTime();
      List<String> given = args == null ? List.of() : List.of(args.split(","));
      // The runtime starts on a second thread while this one advises the JDK: on two cores that
      // nearly halves the startup. Nothing connects before premain returns, and the handler is set
      // before it does; in safe mode nothing is advised, so a JDK the advice fails on still runs.
      Object[] outcome = new Object[1];
      long[] runtimeEnd = new long[1];
      Thread starter =
          new Thread(
              () -> {
                try {
                  Class<?> core = Class.forName(CORE, true, loader);
                  Method start = core.getMethod("start", String.class, Instrumentation.class);
                  outcome[0] = start.invoke(null, args == null ? "" : args, instrumentation);
                } catch (Exception | LinkageError e) {
                  outcome[0] = e;
                }
                runtimeEnd[0] = System.nanoTime();
              },
              "protochain-agent-start");
      starter.setContextClassLoader(loader);
      starter.start();
      Exception adviceFailure = null;
      if (!given.contains("safe-mode")) {
        try {
          advise(instrumentation);
        } catch (Exception e) {
          adviceFailure = e;
        }
      }
      long t2 = System.nanoTime();
      starter.join();
      long t3 = System.nanoTime();
      if (outcome[0] instanceof InvocationTargetException) {
        throw (InvocationTargetException) outcome[0]; // a wrong argument first: it names the fix
      } else if (outcome[0] instanceof Exception) {
        throw (Exception) outcome[0];
      } else if (outcome[0] instanceof LinkageError) {
        throw (LinkageError) outcome[0];
      }
      if (adviceFailure != null) {
        throw adviceFailure;
      }
      if (given.contains("verbose")) {
        System.err.printf(
            "protochain-agent: started in %d ms (unpack %d, then advice %d beside the runtime %d)%n",
            (t3 - t0) / 1_000_000,
            (t1 - t0) / 1_000_000,
            (t2 - t1) / 1_000_000,
            (runtimeEnd[0] - t1) / 1_000_000);
      }
      return;
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      problem =
          cause instanceof IllegalArgumentException
              ? cause.getMessage()
              : "could not start: " + cause + " (fix: report this with the JDK version)";
    } catch (Exception | LinkageError e) {
      problem = "could not start: " + e + " (fix: report this with the JDK version)";
    }
    System.err.println("protochain-agent: " + problem);
    System.err.flush();
    Runtime.getRuntime().halt(1);
  }

  /**
   * Defines the hook classes in the bootstrap class loader through {@code jdk.internal.misc.Unsafe}
   * (opened to this module only), so that advice in {@code java.base} can call them, and lets
   * {@code java.base} read their module. {@code appendToBootstrapClassLoaderSearch} would do the
   * same but makes JDK 17 print a class-data-sharing warning.
   */
  private static void defineBootClasses(Instrumentation instrumentation) throws Exception {
    Module base = Object.class.getModule();
    Module self = ProtochainAgent.class.getModule();
    instrumentation.redefineModule(
        base,
        Set.of(),
        Map.of("jdk.internal.misc", Set.of(self)),
        Map.of("jdk.internal.misc", Set.of(self)),
        Set.of(),
        Map.of());
    Class<?> unsafeType = Class.forName("jdk.internal.misc.Unsafe");
    Object unsafe = unsafeType.getMethod("getUnsafe").invoke(null);
    Method define =
        unsafeType.getMethod(
            "defineClass",
            String.class,
            byte[].class,
            int.class,
            int.class,
            ClassLoader.class,
            ProtectionDomain.class);
    Class<?> first = null;
    for (String name : BOOT) {
      Class<?> defined;
      try {
        defined = Class.forName(name, false, null); // a second attach finds them defined
      } catch (ClassNotFoundException notYet) {
        byte[] bytes;
        try (InputStream in =
            ProtochainAgent.class
                .getClassLoader()
                .getResourceAsStream(name.replace('.', '/') + ".class")) {
          if (in == null) {
            throw new IOException("the agent jar lacks " + name);
          }
          bytes = in.readAllBytes();
        }
        defined = (Class<?>) define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
      }
      if (first == null) {
        first = defined;
      }
    }
    instrumentation.redefineModule(
        base, Set.of(first.getModule()), Map.of(), Map.of(), Set.of(), Map.of());
  }

  /**
   * Returns a class loader over this jar and the runtime nested in it, unpacked into a new
   * directory only its owner can read, whose parent is the platform class loader: it sees the JDK
   * and the boot hook, nothing of the application.
   */
  private static ClassLoader isolatedLoader(Path jar) throws IOException {
    Path dir;
    try {
      dir =
          Files.createTempDirectory(
              "protochain-agent-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException notPosix) {
      dir = Files.createTempDirectory("protochain-agent-");
    }
    dir.toFile().deleteOnExit(); // registered first, so deleted after the jars in it
    List<URL> urls = new ArrayList<>();
    urls.add(jar.toUri().toURL());
    try (JarFile file = new JarFile(jar.toFile())) {
      for (JarEntry entry : Collections.list(file.entries())) {
        String name = entry.getName();
        if (!name.startsWith(LIB)
            || !name.endsWith(".jar")
            || name.indexOf('/', LIB.length()) >= 0) {
          continue;
        }
        Path target = dir.resolve(name.substring(LIB.length()));
        try (InputStream in = file.getInputStream(entry)) {
          // The directory is new and ours alone: no link can be waiting in it.
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        target.toFile().deleteOnExit();
        urls.add(target.toUri().toURL());
      }
    }
    return new URLClassLoader(
        "protochain-agent", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }

  /** Returns the advised classes loaded already, loading none (only they are retransformed). */
  private static Class<?>[] loaded() {
    List<Class<?>> loaded = new ArrayList<>();
    for (String name : ADVISED) {
      try {
        loaded.add(Class.forName(name, false, null));
      } catch (ClassNotFoundException notOnThisJdk) {
        // A later JDK may have renamed it: nothing to advise there, which the tests would show.
      }
    }
    return loaded.toArray(new Class<?>[0]);
  }

  /**
   * Advises the JDK's connects and peer-address getters: loads the three classes (without
   * initialising them) and retransforms them, so any failure shows here, at premain.
   */
  private static void advise(Instrumentation instrumentation) throws Exception {
    // Byte Buddy's Nexus (for initialisers of new types, which this agent never makes) would probe
    // sun.misc.Unsafe, which JDK 24 and newer warn about on standard error. The property is that of
    // our relocated copy (the shade plugin renames the literal), so it touches no one else's.
    System.setProperty(NEXUS_DISABLED, "true");
    JdkTransformer transformer = new JdkTransformer();
    instrumentation.addTransformer(transformer, true);
    Class<?>[] loaded = loaded();
    if (loaded.length > 0) {
      instrumentation.retransformClasses(loaded);
    }
    if (!transformer.errors.isEmpty() || transformer.advised.size() != ADVISED.length) {
      IllegalStateException e =
          new IllegalStateException(
              "could not advise the JDK's socket classes on JDK "
                  + Runtime.version()
                  + " (advised: "
                  + transformer.advised
                  + ")");
      transformer.errors.forEach(e::addSuppressed);
      throw e;
    }
  }

  /**
   * Inlines the advice into the three JDK classes with Byte Buddy's core API (not its {@code
   * AgentBuilder}, which loads twice the classes), changing no class format: no member is added.
   */
  private static final class JdkTransformer implements ClassFileTransformer {

    final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    final Set<String> advised = Collections.synchronizedSet(new java.util.TreeSet<>());

    @Override
    public byte[] transform(
        ClassLoader loader,
        String internalName,
        Class<?> redefined,
        ProtectionDomain domain,
        byte[] buffer) {
      if (loader != null || internalName == null) {
        return null;
      }
      List<AsmVisitorWrapper> advice = advice(internalName);
      if (advice.isEmpty()) {
        return null;
      }
      try {
        String name = internalName.replace('/', '.');
        ClassFileLocator locator =
            new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(name, buffer),
                ClassFileLocator.ForClassLoader.ofBootLoader());
        TypePool pool = TypePool.Default.WithLazyResolution.of(locator);
        DynamicType.Builder<?> builder =
            new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(Implementation.Context.Disabled.Factory.INSTANCE)
                .with(InstrumentedType.Factory.Default.FROZEN)
                .with(VisibilityBridgeStrategy.Default.NEVER)
                .redefine(pool.describe(name).resolve(), locator)
                .ignoreAlso(LatentMatcher.ForSelfDeclaredMethod.NOT_DECLARED);
        for (AsmVisitorWrapper a : advice) {
          builder = builder.visit(a);
        }
        byte[] bytes = builder.make(pool).getBytes();
        advised.add(name);
        return bytes;
      } catch (Throwable e) {
        errors.add(e);
        return null; // the class stays as it was: its connects go direct
      }
    }

    private static List<AsmVisitorWrapper> advice(String internalName) {
      switch (internalName) {
        case "sun/nio/ch/SocketChannelImpl":
          return List.of(
              Advice.to(Advices.Connect.class)
                  .on(
                      named("connect")
                          .and(takesArguments(1))
                          .and(takesArgument(0, SocketAddress.class))
                          .or(named("blockingConnect").and(takesArgument(0, SocketAddress.class)))),
              Advice.to(Advices.RemoteAddress.class)
                  .on(
                      named("getRemoteAddress")
                          .or(named("remoteAddress")) // what its Socket adaptor asks
                          .and(takesArguments(0))));
        case "sun/nio/ch/NioSocketImpl":
          return List.of(
              Advice.to(Advices.Connect.class)
                  .on(
                      named("connect")
                          .and(takesArguments(2))
                          .and(takesArgument(0, SocketAddress.class))));
        case "java/net/SocketImpl":
          return List.of(
              Advice.to(Advices.InetAddressOf.class)
                  .on(named("getInetAddress").and(takesArguments(0)).and(not(isAbstract()))),
              Advice.to(Advices.PortOf.class)
                  .on(named("getPort").and(takesArguments(0)).and(not(isAbstract()))));
        default:
          return List.of();
      }
    }
  }
}
