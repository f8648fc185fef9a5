package dev.protochain.runtime.internal;

import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.PluginStore;
import dev.protochain.runtime.store.StoredCatalog;
import dev.protochain.runtime.store.internal.CatalogJson;
import dev.protochain.runtime.store.internal.HomeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Starts and cleans up chains that run plugin code once, in a child JVM with a deadline, so that
 * the code of a plugin being installed runs neither in the installing process nor under the catalog
 * lock: a plugin that calls {@code System.exit} ends only the child, and is named with the place it
 * called it from; one that hangs is stopped at the deadline, and named with the place it was stuck
 * at.
 *
 * <p>Why a JVM: a plugin's code can end or wedge the JVM it runs in ({@code System.exit}, {@code
 * Runtime.halt}, a thread that never returns, a lock never released), and since Java 17 deprecated
 * the security manager nothing inside one JVM can stop it. A child JVM costs about a second per
 * install, paid only when the new chains run plugin code.
 *
 * <p>The child reads the catalog to try from a file the parent writes into an owner-only temporary
 * directory, loads plugins from the home's store (verifying digests and trust as any load does),
 * and writes one line of result into that directory: {@code ok}, or the kind of failure, the entry
 * and a detail, separated by tabs. Its own output is discarded.
 */
public final class PluginTrial {

  /** Extra time the parent gives a child past its deadline to start and report, before it kills. */
  private static final Duration GRACE = Duration.ofSeconds(15);

  private static final int HUNG = 124;

  private PluginTrial() {}

  /**
   * Starts up and cleans up each of {@code entries} of {@code catalog} once in a child JVM, loading
   * plugins from {@code store}; returns normally if each did within {@code deadline}.
   *
   * @throws ProtochainException {@code PROVIDER_FAILED_INIT} naming the entry and what happened: it
   *     failed to start (with the cause's message), plugin code ended the JVM (with the status and
   *     the caller), or the check passed {@code deadline} (with the place it was stuck at)
   */
  public static void run(
      PluginStore store, Catalog catalog, List<Integer> entries, Duration deadline)
      throws IOException {
    Path dir = Files.createTempDirectory("protochain-check", HomeFiles.ownerOnlyDirectory());
    try {
      Path catalogFile = dir.resolve("catalog.json");
      Files.write(catalogFile, CatalogJson.write(new StoredCatalog(catalog, 1)));
      Path result = dir.resolve("result");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(PluginTrial.class.getName());
      command.add(store.directory().toString());
      command.add(catalogFile.toString());
      command.add(result.toString());
      command.add(Long.toString(deadline.toMillis()));
      entries.forEach(id -> command.add(id.toString()));
      Process child =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      boolean ended;
      try {
        ended = child.waitFor(deadline.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        child.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while checking the new chains");
      }
      if (!ended) {
        child.destroyForcibly();
      }
      String line =
          new String(
                  HomeFiles.read(result, 64 * 1024, "result").orElse(new byte[0]),
                  StandardCharsets.UTF_8)
              .strip();
      String[] parts = line.split("\t", 3);
      String entry = parts.length > 1 ? parts[1] : "the new chains";
      String detail = parts.length > 2 ? parts[2] : "";
      switch (parts[0]) {
        case "ok":
          return;
        case "failed":
          throw failed(entry + " does not start: " + detail);
        case "exit":
          throw failed(
              "plugin code ended the JVM checking "
                  + entry
                  + " with System.exit("
                  + (ended ? child.exitValue() : "?")
                  + "), called at "
                  + detail
                  + "; a plugin must never end the JVM");
        case "hung":
          throw failed(
              entry
                  + " did not start and clean up within "
                  + format(deadline)
                  + " (stuck at "
                  + detail
                  + "); the check was stopped");
        default:
          throw failed(
              "checking "
                  + entry
                  + " in a separate JVM ended "
                  + (ended
                      ? "with status " + child.exitValue()
                      : "not at all within " + format(deadline.plus(GRACE)))
                  + " and no result (plugin code may have called Runtime.halt)");
      }
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static ProtochainException failed(String message) {
    return new ProtochainException(ProtochainException.Code.PROVIDER_FAILED_INIT, message);
  }

  private static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /* ---- the child ---- */

  /** The child JVM: {@code HOME CATALOG_FILE RESULT_FILE DEADLINE_MS ENTRY...}. Not for people. */
  public static void main(String[] args) throws IOException {
    PluginStore store = new PluginStore(Path.of(args[0]));
    Catalog catalog = CatalogJson.read(Files.readAllBytes(Path.of(args[1])), args[1]).catalog();
    Path result = Path.of(args[2]);
    long deadline = Long.parseLong(args[3]);
    AtomicReference<String> current = new AtomicReference<>("the new chains");
    Object reported = new Object();
    boolean[] done = {false};
    Thread main = Thread.currentThread();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  synchronized (reported) {
                    if (!done[0]) {
                      done[0] = true;
                      report(result, "exit\t" + current.get() + "\t" + exitCaller());
                    }
                  }
                }));
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(deadline);
              } catch (InterruptedException e) {
                return;
              }
              synchronized (reported) {
                if (!done[0]) {
                  done[0] = true;
                  report(result, "hung\t" + current.get() + "\t" + where(main.getStackTrace()));
                  Runtime.getRuntime().halt(HUNG);
                }
              }
            },
            "protochain-check-deadline");
    watchdog.setDaemon(true);
    watchdog.start();
    String outcome = "ok";
    int status = 0;
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .name("install-check")
            .catalog(catalog)
            .source(store.source(catalog.plugins()))
            .shutdownHook(false)
            .build()) {
      for (int i = 4; i < args.length; i++) {
        int id = Integer.parseInt(args[i]);
        current.set("chain " + Catalog.label(catalog.entry(id).orElseThrow()));
        try (Session session = runtime.startup(id)) {
          session.version(); // started: every provider of the chain loaded with its settings
        }
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      outcome = "failed\t" + current.get() + "\t" + oneLine(e);
      status = 1;
    }
    synchronized (reported) {
      if (!done[0]) {
        done[0] = true;
        report(result, outcome);
      }
    }
    Runtime.getRuntime().halt(status); // a plugin thread left running must not keep the child up
  }

  private static void report(Path result, String line) {
    try {
      Files.write(result, (line + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the parent reports a child that left no result
    }
  }

  /** Returns the place that called {@code System.exit}, found in the thread waiting in it. */
  private static String exitCaller() {
    for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
      StackTraceElement[] stack = t.getValue();
      for (int i = 0; i < stack.length; i++) {
        if (stack[i].getClassName().equals("java.lang.Runtime")
            && stack[i].getMethodName().equals("exit")) {
          int caller = i + 1;
          if (caller < stack.length && stack[caller].getClassName().equals("java.lang.System")) {
            caller++;
          }
          return where(java.util.Arrays.copyOfRange(stack, caller, stack.length));
        }
      }
    }
    return "(unknown)";
  }

  /** Returns the innermost frame of plugin code on {@code stack}, else its top frame. */
  static String where(StackTraceElement[] stack) {
    for (StackTraceElement frame : stack) {
      String loader = frame.getClassLoaderName();
      if (loader != null && loader.startsWith("plugin ")) {
        return PluginClassLoader.frame(frame);
      }
    }
    return stack.length == 0 ? "(no frame)" : PluginClassLoader.frame(stack[0]);
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.toString();
    }
    return m.replace("\r", "").replace("\n\n", ": ").replace("\n", "; ").replace("\t", " ");
  }
}
