package dev.protochain.runtime.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A program the interop tests run as a real peer (openssl, microsocks): found on the {@code PATH},
 * started with its standard output and error collected, stopped by {@link #close()}.
 *
 * <p>A program missing from the {@code PATH} fails the test with a message saying how to install
 * it: these tests never skip, on CI ({@code CI=true}) or anywhere else. This class is thread-safe.
 */
public final class ExternalProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Collector out;
  private final Collector err;

  private ExternalProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.out = new Collector(process.getInputStream(), name + "-stdout");
    this.err = new Collector(process.getErrorStream(), name + "-stderr");
  }

  /**
   * Returns the executable {@code program} on the {@code PATH}, or fails the test naming the Debian
   * package that provides it.
   */
  public static Path locate(String program, String debianPackage) {
    Optional<Path> found = find(program);
    if (found.isPresent()) {
      return found.get();
    }
    String ci = "true".equalsIgnoreCase(System.getenv("CI")) ? "CI=true: " : "";
    return fail(
        ci
            + program
            + " is not on the PATH ("
            + System.getenv("PATH")
            + "), and the interop tests run "
            + "against it as a real peer; install it (Debian: apt-get install "
            + debianPackage
            + "; .ci/run does) rather than skipping these tests");
  }

  /** Returns the executable {@code program} on the {@code PATH}, if there is one. */
  public static Optional<Path> find(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator, -1)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Starts {@code command} in {@code dir}; {@code name} labels it in messages. */
  public static ExternalProcess start(String name, Path dir, List<String> command)
      throws IOException {
    ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile());
    return new ExternalProcess(name, b.start());
  }

  /**
   * Runs {@code command} in {@code dir} to its end, within 30 s, and returns its standard output;
   * fails the test with everything it printed if it exits with another status than 0.
   */
  public static String run(Path dir, List<String> command)
      throws IOException, InterruptedException {
    try (ExternalProcess p = start(command.get(0), dir, command)) {
      p.stdin().close();
      int status = p.exitStatus(Duration.ofSeconds(30));
      if (status != 0) {
        fail(
            String.join(" ", command)
                + " exited with status "
                + status
                + ":\n"
                + p.stdout()
                + p.stderr());
      }
      return p.stdout();
    }
  }

  /** Returns the process's standard input. */
  public OutputStream stdin() {
    return process.getOutputStream();
  }

  /** Writes {@code text} to standard input, as ISO-8859-1, and flushes. */
  public void write(String text) throws IOException {
    stdin().write(text.getBytes(StandardCharsets.ISO_8859_1));
    stdin().flush();
  }

  /** Returns all of standard output so far, each byte a char (ISO-8859-1). */
  public String stdout() {
    return out.text();
  }

  /** Returns all of standard error so far, each byte a char (ISO-8859-1). */
  public String stderr() {
    return err.text();
  }

  /**
   * Waits until standard output contains {@code text}; fails the test with both outputs if it does
   * not in time.
   */
  public String awaitStdout(String text, Duration timeout) throws InterruptedException {
    return await(out, "standard output", text, timeout);
  }

  /**
   * Waits until standard error contains {@code text}; fails the test with both outputs if it does
   * not in time.
   */
  public String awaitStderr(String text, Duration timeout) throws InterruptedException {
    return await(err, "standard error", text, timeout);
  }

  private String await(Collector c, String where, String text, Duration timeout)
      throws InterruptedException {
    if (!c.await(text, timeout)) {
      fail(
          name
              + " did not print '"
              + text.strip()
              + "' on its "
              + where
              + " within "
              + timeout.toMillis()
              + " ms (alive: "
              + process.isAlive()
              + ")\n--- stdout:\n"
              + stdout()
              + "\n--- stderr:\n"
              + stderr());
    }
    return c.text();
  }

  /**
   * Waits for the process to end and returns its status; fails the test if it does not end in time.
   */
  public int exitStatus(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      fail(
          name
              + " did not exit within "
              + timeout.toMillis()
              + " ms\n--- stdout:\n"
              + stdout()
              + "\n--- stderr:\n"
              + stderr());
    }
    out.join();
    err.join();
    return process.exitValue();
  }

  /** Returns whether the process still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the process at once (SIGKILL), so that it says nothing more to its peers. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Stops the process if it still runs; an interrupt while waiting kills it and is kept. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      stdin().close();
    } catch (IOException alreadyClosed) {
      // the process is gone; nothing reads it
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }

  /** Collects one output stream on a daemon thread. */
  private static final class Collector {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Thread thread;

    Collector(InputStream in, String name) {
      thread =
          new Thread(
              () -> {
                byte[] buffer = new byte[8192];
                try (in) {
                  int n;
                  while ((n = in.read(buffer)) >= 0) {
                    synchronized (this) {
                      bytes.write(buffer, 0, n);
                      notifyAll();
                    }
                  }
                } catch (IOException ended) {
                  // the process is gone
                }
              },
              name);
      thread.setDaemon(true);
      thread.start();
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    synchronized boolean await(String text, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!text().contains(text)) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!thread.isAlive() && !text().contains(text))) {
          return text().contains(text);
        }
        wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
      }
      return true;
    }

    void join() throws InterruptedException {
      thread.join(10_000);
    }
  }

  /** Returns {@code args} as a mutable list, for building commands. */
  public static List<String> command(String... args) {
    List<String> c = new ArrayList<>();
    for (String a : args) {
      c.add(a);
    }
    return c;
  }
}
