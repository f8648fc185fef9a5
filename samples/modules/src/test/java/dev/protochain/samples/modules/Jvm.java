package dev.protochain.samples.modules;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs a JVM of the running JDK over the jars this module's build made. */
final class Jvm {

  /** What a child JVM did. */
  record Result(int code, String out, String err) {}

  private Jvm() {}

  /** Returns this module's jar. */
  static Path appJar() {
    Path jar = Path.of(System.getProperty("protochain.app.jar"));
    assertTrue(Files.isRegularFile(jar), "the build made " + jar);
    return jar;
  }

  /** Returns the directory of this module's runtime dependencies. */
  static Path lib() {
    Path lib = Path.of(System.getProperty("protochain.app.lib"));
    assertTrue(Files.isDirectory(lib), "the build copied the dependencies into " + lib);
    return lib;
  }

  /** Returns the file names of the jars in {@link #lib()}, sorted. */
  static List<String> libJars() throws IOException {
    try (Stream<Path> jars = Files.list(lib())) {
      return jars.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Runs {@code java args...} in {@code dir}, with a minute to finish. */
  static Result java(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError(command + " did not end within 60 s: " + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Returns the application's jar and every jar of {@link #lib()}, as a path. */
  static String path() throws IOException {
    List<String> entries = new ArrayList<>();
    entries.add(appJar().toString());
    for (String jar : libJars()) {
      entries.add(lib().resolve(jar).toString());
    }
    return String.join(File.pathSeparator, entries);
  }
}
