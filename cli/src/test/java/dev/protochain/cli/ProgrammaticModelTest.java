package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The commands' picocli model is built in code ({@link CommandSpecs}): no run reads picocli's
 * annotations, which cost a start-up the annotation proxies, picocli's annotation model and
 * reflection over the commands' fields. A child JVM logs the classes it loads; neither picocli's
 * model of annotated fields ({@code TypedMember}) nor its standard help options read from their
 * annotations ({@code AutoHelpMixin}) may be among them, for the command the start-up benchmark
 * times and for the help, which builds every command.
 */
class ProgrammaticModelTest {

  private static final List<String> ANNOTATION_MODEL =
      List.of("picocli.CommandLine$Model$TypedMember", "picocli.CommandLine$AutoHelpMixin");

  @ParameterizedTest
  @ValueSource(strings = {"catalog show", "--help"})
  void noRunReadsPicocliAnnotations(String args, @TempDir Path dir) throws Exception {
    Path log = dir.resolve("classes.txt");
    List<String> command = new ArrayList<>(Cli.childCommand(dir.resolve("home"), args.split(" ")));
    command.add(1, "-Xlog:class+load:file=" + log);
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), args + " did not end");
    assertEquals(0, p.exitValue(), args + " failed");
    List<String> loaded = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertTrue(
        loaded.stream().anyMatch(l -> l.contains(" picocli.CommandLine$Model$CommandSpec ")),
        "the log names the classes loaded");
    for (String c : ANNOTATION_MODEL) {
      assertTrue(
          loaded.stream().noneMatch(l -> l.contains(" " + c + " ")),
          args + " loaded " + c + ": a command's model read from annotations");
    }
  }
}
