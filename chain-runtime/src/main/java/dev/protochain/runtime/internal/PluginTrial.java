package dev.protochain.runtime.internal;

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
 * the code of a plugin runs neither in the installing (or verifying) process nor under the catalog
 * lock: a plugin that calls {@code System.exit} ends only the child, and is named with the place it
 * called it from; one that hangs is stopped at the deadline, and named with the place it was stuck
 * at.
 *
 * <p>Why a JVM: a plugin's code can end or wedge the JVM it runs in ({@code System.exit}, {@code
 * Runtime.halt}, a thread that never returns, a lock never released), and since Java 17 deprecated
 * the security manager nothing inside one JVM can stop it. A child JVM costs about a second per
 * check, paid only when the chains checked run plugin code.
 *
 * <p>The child reads the catalog to try from a file the parent writes into an owner-only temporary
 * directory, loads plugins from the home's store (verifying digests and trust as any load does),
 * and writes its result into that directory, a line each: {@code failed}, the entry's id and the
 * cause, separated by tabs, for each entry that does not start; then {@code done}, or {@code exit}
 * or {@code hung} with the entry's id and the place. Its own output is discarded.
 */
public final class PluginTrial {

  /** Extra time the parent gives a child past its deadline to start and report, before it kills. */
  private static final Duration GRACE = Duration.ofSeconds(15);

  private static final int HUNG = 124;

  private PluginTrial() {}

  /**
   * What went wrong with one entry: {@code message} names the entry and says what happened.
   *
   * @param entry the entry's id
   * @param message {@code entry 3001 'x-tcp4' (chain [2001, 1001]) does not start: ...}, without a
   *     final period
   */
  public record Failure(int entry, String message) {}

  /**
   * Starts up and cleans up each of {@code entries} of {@code catalog} once in a child JVM, loading
   * plugins from {@code store}, and returns what went wrong, in the order of {@code entries}; empty
   * if each did within {@code deadline}. An entry that fails to start (with the cause's message)
   * does not stop the others; plugin code ending the JVM (with the status and the caller), or the
   * check passing {@code deadline} (with the place it was stuck at), ends the check at that entry.
   */
  public static List<Failure> run(
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
      String lines =
          new String(
              HomeFiles.read(result, 64 * 1024, "result").orElse(new byte[0]),
              StandardCharsets.UTF_8);
      List<Failure> failures = new ArrayList<>();
      for (String line : lines.strip().split("\n", -1)) {
        String[] parts = line.split("\t", 3);
        int id = parts.length > 1 ? Integer.parseInt(parts[1]) : entries.get(0);
        String entry = catalog.entry(id).map(Object::toString).orElse("entry " + id);
        String detail = parts.length > 2 ? parts[2] : "";
        switch (parts[0]) {
          case "failed" -> failures.add(new Failure(id, entry + " does not start: " + detail));
          case "done" -> {
            return failures;
          }
          case "exit" -> {
            failures.add(
                new Failure(
                    id,
                    "plugin code ended the JVM checking "
                        + entry
                        + " with System.exit("
                        + (ended ? child.exitValue() : "?")
                        + "), called at "
                        + detail
                        + "; a plugin must never end the JVM"));
            return failures;
          }
          case "hung" -> {
            failures.add(
                new Failure(
                    id,
                    entry
                        + " did not start and clean up within "
                        + format(deadline)
                        + " (stuck at "
                        + detail
                        + "); the check was stopped"));
            return failures;
          }
          default -> {
            failures.add(
                new Failure(
                    id,
                    "checking "
                        + entry
                        + " in a separate JVM ended "
                        + (ended
                            ? "with status " + child.exitValue()
                            : "not at all within " + format(deadline.plus(GRACE)))
                        + " and no result (plugin code may have called Runtime.halt)"));
            return failures;
          }
        }
      }
      throw new AssertionError("unreachable: split returns at least one line");
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
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
    AtomicReference<String> current = new AtomicReference<>(args[4]);
    StringBuilder lines = new StringBuilder(); // guarded by itself; each report writes them all
    boolean[] done = {false};
    Thread main = Thread.currentThread();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> report(result, lines, done, "exit\t" + current.get() + "\t" + exitCaller())));
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(deadline);
              } catch (InterruptedException e) {
                return;
              }
              if (report(
                  result,
                  lines,
                  done,
                  "hung\t" + current.get() + "\t" + where(main.getStackTrace()))) {
                Runtime.getRuntime().halt(HUNG);
              }
            },
            "protochain-check-deadline");
    watchdog.setDaemon(true);
    watchdog.start();
    int status = 0;
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .name("install-check")
            .catalog(catalog)
            .source(store.source(catalog.plugins()))
            .shutdownHook(false)
            .build()) {
      for (int i = 4; i < args.length; i++) {
        current.set(args[i]);
        try (Session session = runtime.startup(Integer.parseInt(args[i]))) {
          session.version(); // started: every provider of the chain loaded with its settings
        } catch (IOException | RuntimeException | LinkageError e) {
          report(result, lines, null, "failed\t" + current.get() + "\t" + oneLine(e));
          status = 1;
        }
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      report(result, lines, null, "failed\t" + current.get() + "\t" + oneLine(e));
      status = 1;
    }
    report(result, lines, done, "done");
    Runtime.getRuntime().halt(status); // a plugin thread left running must not keep the child up
  }

  /**
   * Adds {@code line} to the result file; with {@code done}, only if no final line was written yet
   * (exit, hung or done: the first wins), and then returns whether it was this one.
   */
  private static boolean report(Path result, StringBuilder lines, boolean[] done, String line) {
    synchronized (lines) {
      if (done != null) {
        if (done[0]) {
          return false;
        }
        done[0] = true;
      }
      lines.append(line).append('\n');
      try {
        Files.write(result, lines.toString().getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the parent reports a child that left no result
      }
      return true;
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

  /**
   * Returns the failure's message as one line without tabs or a final period, to follow {@code does
   * not start: }.
   */
  public static String oneLine(Throwable e) {
    String m = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
    m = m.replace("\r", "").replace("\n\n", ": ").replace("\n", "; ").replace("\t", " ");
    return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
  }
}
