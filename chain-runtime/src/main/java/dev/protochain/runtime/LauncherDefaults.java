package dev.protochain.runtime;

/**
 * The JVM-wide settings every launcher of protochain applies before anything loads the runtime: the
 * command line, the samples, the benchmarks (and their forked JMH JVMs) and the agent.
 *
 * <p>Guice 7 defines its generated classes through {@code sun.misc.Unsafe}, which JDK 24 and newer
 * warn about on standard error. protochain uses no Guice AOP, so {@code
 * guice_bytecode_gen_option=DISABLED} (reflection instead of generated classes) does the same job
 * silently. Guice reads the property once, when its first class initialises, so {@link #apply()}
 * must run before that. A value the user set already wins.
 */
public final class LauncherDefaults {

  /** The system property Guice reads to choose how it builds its proxies and fast classes. */
  public static final String GUICE_BYTECODE_GEN = "guice_bytecode_gen_option";

  private LauncherDefaults() {}

  /** Sets each default that is not set already. Call it first in a {@code main}. */
  public static void apply() {
    if (System.getProperty(GUICE_BYTECODE_GEN) == null) {
      System.setProperty(GUICE_BYTECODE_GEN, "DISABLED");
    }
  }

  /**
   * Applies the defaults to the Guice this class is loaded with, and only to it: for a launcher
   * that shares its JVM with an application's own Guice (the agent). The property is set while that
   * Guice reads it, when its flags class initialises, then cleared, so the application's Guice
   * keeps its own choice. A value the user set already wins.
   */
  public static void applyToOwnGuice() {
    if (System.getProperty(GUICE_BYTECODE_GEN) != null) {
      return;
    }
    System.setProperty(GUICE_BYTECODE_GEN, "DISABLED");
    try {
      Class.forName(
          "com.google.inject.internal.InternalFlags",
          true,
          LauncherDefaults.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("Guice is not beside the runtime", e);
    } finally {
      System.clearProperty(GUICE_BYTECODE_GEN);
    }
  }

  /**
   * Returns the defaults as JVM options ({@code -Dkey=value}), for a launcher that forks a JVM
   * whose {@code main} it does not own (JMH's forks).
   */
  public static String[] jvmOptions() {
    return new String[] {"-D" + GUICE_BYTECODE_GEN + "=DISABLED"};
  }
}
