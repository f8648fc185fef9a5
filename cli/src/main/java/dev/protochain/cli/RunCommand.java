package dev.protochain.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code protochain run [--entry ID|NAME] [--only RULES] [--except RULES] [--safe-mode]
 * [--no-follow] [--platform-threads] [--report FILE] -- COMMAND...}: any Java program over a chain,
 * through the agent.
 */
final class RunCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "run",
          "Run COMMAND with the protochain agent attached to every JVM it starts (through"
              + " JAVA_TOOL_OPTIONS, ahead of what was there), so that its TCP connections cross a chain"
              + " of the catalog without a line of the program changing.",
          "Each connection the rules let through is carried over the entry --entry names, else the first"
              + " serving inet (or inet6) stream tcp. Native transports (Netty epoll or io_uring, JNI),"
              + " UDP and Unix-domain sockets are not reached.",
          "The command's standard streams are this one's; the exit code is the command's. Every JVM"
              + " prints 'Picked up JAVA_TOOL_OPTIONS: ...' on standard error first: that is the JVM's"
              + " own note.");

  private final OptionSpec entry =
      CommandSpecs.add(
          spec,
          CommandSpecs.option(
              "--entry",
              "ID|NAME",
              "The base or chain to carry every connection over (default: the first serving the"
                  + " destination's family, stream, tcp)."));

  private final OptionSpec only =
      CommandSpecs.add(
          spec,
          CommandSpecs.option(
                  "--only",
                  "RULES",
                  "Layer only connections to destinations these rules cover, written as the filter layer's"
                      + " (10.0.0.0/8, 192.0.2.7:443, [2001:db8::]/32:8000-8999, *:22), separated by ',' or"
                      + " ';'; repeatable.")
              .type(List.class)
              .auxiliaryTypes(String.class));

  private final OptionSpec except =
      CommandSpecs.add(
          spec,
          CommandSpecs.option(
                  "--except",
                  "RULES",
                  "Leave connections to destinations these rules cover alone (they go direct); the same"
                      + " syntax; repeatable.")
              .type(List.class)
              .auxiliaryTypes(String.class));

  private final OptionSpec safeMode =
      CommandSpecs.add(
          spec,
          CommandSpecs.flag(
              "--safe-mode", "Attach the agent but layer nothing (it says so on standard error)."));

  private final OptionSpec noFollow =
      CommandSpecs.add(
          spec,
          CommandSpecs.flag(
              "--no-follow",
              "Keep the catalog the program started with; by default the agent follows the home's"
                  + " catalog file, so a 'catalog install' made while it runs carries its next"
                  + " connections."));

  private final OptionSpec platformThreads =
      CommandSpecs.add(
          spec,
          CommandSpecs.flag(
              "--platform-threads",
              "Relay on platform threads even where the JDK has virtual ones: lower latency per"
                  + " exchange (about 1.4x less added to a keep-alive request on JDK 25) for two platform"
                  + " threads per layered connection."));

  private final OptionSpec report =
      CommandSpecs.add(
          spec,
          CommandSpecs.pathOption(
              "--report",
              "FILE",
              "Have the agent write what it carried (connections, bytes, entry) to FILE."));

  private final PositionalParamSpec command =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter(
                  "COMMAND", "The command and its arguments, after '--': java -jar app.jar, say.")
              .type(List.class)
              .auxiliaryTypes(String.class)
              .arity("1..*"));

  RunCommand(Main main) {
    this.main = main;
    // Everything after COMMAND is the command's own, options included.
    spec.parser().stopAtPositional(true);
  }

  /** The agent's flags this command's options ask for, in the agent's order. */
  private List<String> flags() {
    List<String> flags = new ArrayList<>();
    if (CommandSpecs.given(safeMode)) {
      flags.add("safe-mode");
    }
    if (CommandSpecs.given(noFollow)) {
      flags.add("no-follow");
    }
    if (CommandSpecs.given(platformThreads)) {
      flags.add("platform-threads");
    }
    if (main.verbose()) {
      flags.add("verbose");
    }
    return flags;
  }

  /** Returns the values given to the repeatable {@code option}, none if it was not given. */
  private static List<String> values(OptionSpec option) {
    List<String> values = option.getValue();
    return values == null ? List.of() : values;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    String arguments =
        AgentLaunch.agentArguments(
            main.home().directory(),
            Optional.ofNullable(entry.getValue()),
            values(only),
            values(except),
            Optional.ofNullable(report.getValue()),
            flags());
    String toolOptions =
        AgentLaunch.javaToolOptions(
            AgentLaunch.agentJar(),
            arguments,
            Optional.ofNullable(main.environment().get(AgentLaunch.TOOL_OPTIONS)));
    List<String> command = this.command.getValue();
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().clear();
    builder.environment().putAll(AgentLaunch.environment(main.environment(), toolOptions));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("could not start '" + command.get(0) + "': " + Main.oneLine(e), e);
    }
    try {
      return process.waitFor();
    } finally {
      if (process.isAlive()) { // interrupted: do not leave it behind
        process.destroy();
      }
    }
  }
}
