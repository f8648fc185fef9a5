package dev.protochain.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the command line in this JVM against one home, capturing what it prints. Not thread-safe.
 */
final class Cli {

  /**
   * What one run printed and returned.
   *
   * @param code the exit code
   * @param out standard output as bytes
   * @param err standard error
   */
  record Run(int code, byte[] out, String err) {
    String stdout() {
      return new String(out, StandardCharsets.UTF_8);
    }

    /** Returns the run as one text, for assertion messages. */
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + stdout() + "--- stderr\n" + err;
    }
  }

  private final Path home;

  Cli(Path home) {
    this.home = home;
  }

  Path home() {
    return home;
  }

  /** Runs {@code protochain --home HOME args...} with no input. */
  Run run(String... args) {
    return run(InputStream.nullInputStream(), args);
  }

  /** Runs {@code protochain --home HOME args...} with {@code input} as standard input. */
  Run run(byte[] input, String... args) {
    return run(new ByteArrayInputStream(input), args);
  }

  Run run(InputStream in, String... args) {
    return run(in, Map.of(), args);
  }

  /** Runs {@code protochain --home HOME args...} with no input in {@code environment}. */
  Run run(Map<String, String> environment, String... args) {
    return run(InputStream.nullInputStream(), environment, args);
  }

  private Run run(InputStream in, Map<String, String> environment, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(withHome(args), in, out, err, environment);
    return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  /** Returns {@code --home HOME args...}. */
  private String[] withHome(String... args) {
    List<String> all = new ArrayList<>(List.of("--home", home.toString()));
    all.addAll(Arrays.asList(args));
    return all.toArray(String[]::new);
  }

  /**
   * Runs and fails unless the exit code is 0; returns standard output with the home shown as {@code
   * HOME}.
   */
  String ok(String... args) {
    Run r = run(args);
    if (r.code() != 0) {
      throw new AssertionError("protochain " + String.join(" ", args) + " failed:\n" + r);
    }
    return generic(r.stdout());
  }

  /** Returns {@code text} with the home's path replaced by {@code HOME}. */
  String generic(String text) {
    return text.replace(home.toString(), "HOME");
  }

  /**
   * A {@code listen} running in this JVM, once it has said where it listens.
   *
   * @param exit its exit code, when it ends
   * @param out its standard output
   * @param err its standard error, the first line taken
   * @param said the first line of standard error matched against the expected pattern
   */
  record Listening(Future<Integer> exit, ByteArrayOutputStream out, LineSink err, Matcher said) {
    /** Returns the port the first line named (the pattern's first group). */
    int port() {
      return Integer.parseInt(said.group(1));
    }
  }

  /**
   * Runs {@code protochain --home HOME args...} (a {@code listen}) on a thread of {@code pool} with
   * {@code input} as standard input, waits up to 30 s for its first line on standard error and
   * fails unless it matches {@code firstLine}.
   */
  Listening listen(ExecutorService pool, byte[] input, Pattern firstLine, String... args)
      throws InterruptedException {
    String[] all = withHome(args);
    LineSink err = new LineSink();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Future<Integer> exit =
        pool.submit(() -> Main.run(all, new ByteArrayInputStream(input), out, err, Map.of()));
    Matcher said = firstLine.matcher(err.next(30));
    if (!said.matches()) {
      throw new AssertionError("listen said, not matching " + firstLine + ":\n" + err.all());
    }
    return new Listening(exit, out, err, said);
  }

  /** Returns the command line of a child JVM running {@code protochain --home HOME args...}. */
  static List<String> childCommand(Path home, String... args) {
    List<String> command =
        new ArrayList<>(List.of(Main.class.getName(), "--home", home.toString()));
    command.addAll(Arrays.asList(args));
    return java(command);
  }

  /**
   * Returns the command line of a child JVM of this JVM's {@code java} and class path, running
   * {@code mainAndArgs}: a main class and its arguments.
   */
  static List<String> java(List<String> mainAndArgs) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path")));
    command.addAll(mainAndArgs);
    return command;
  }
}
