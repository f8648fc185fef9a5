package dev.protochain.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code protochain run [--entry ID|NAME] [--only RULES] [--except RULES] [--safe-mode]
 * [--no-follow] [--platform-threads] [--report FILE] -- COMMAND...}: any Java program over a chain,
 * through the agent.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run COMMAND with the protochain agent attached to every JVM it starts (through"
          + " JAVA_TOOL_OPTIONS, ahead of what was there), so that its TCP connections cross a chain"
          + " of the catalog without a line of the program changing.",
      "Each connection the rules let through is carried over the entry --entry names, else the first"
          + " serving inet (or inet6) stream tcp. Native transports (Netty epoll or io_uring, JNI),"
          + " UDP and Unix-domain sockets are not reached.",
      "The command's standard streams are this one's; the exit code is the command's. Every JVM"
          + " prints 'Picked up JAVA_TOOL_OPTIONS: ...' on standard error first: that is the JVM's"
          + " own note."
    })
final class RunCommand implements Callable<Integer> {

  @ParentCommand Main main;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--entry",
      paramLabel = "ID|NAME",
      description =
          "The base or chain to carry every connection over (default: the first serving the"
              + " destination's family, stream, tcp).")
  String entry;

  @Option(
      names = "--only",
      paramLabel = "RULES",
      description =
          "Layer only connections to destinations these rules cover, written as the filter layer's"
              + " (10.0.0.0/8, 192.0.2.7:443, [2001:db8::]/32:8000-8999, *:22), separated by ',' or"
              + " ';'; repeatable.")
  List<String> only = List.of();

  @Option(
      names = "--except",
      paramLabel = "RULES",
      description =
          "Leave connections to destinations these rules cover alone (they go direct); the same"
              + " syntax; repeatable.")
  List<String> except = List.of();

  @Option(
      names = "--safe-mode",
      description = "Attach the agent but layer nothing (it says so on standard error).")
  boolean safeMode;

  @Option(
      names = "--no-follow",
      description =
          "Keep the catalog the program started with; by default the agent follows the home's"
              + " catalog file, so a 'catalog install' made while it runs carries its next"
              + " connections.")
  boolean noFollow;

  @Option(
      names = "--platform-threads",
      description =
          "Relay on platform threads even where the JDK has virtual ones: lower latency per"
              + " exchange (about 1.4x less added to a keep-alive request on JDK 25) for two platform"
              + " threads per layered connection.")
  boolean platformThreads;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Have the agent write what it carried (connections, bytes, entry) to FILE.")
  Path report;

  @Parameters(
      arity = "1..*",
      paramLabel = "COMMAND",
      description = "The command and its arguments, after '--': java -jar app.jar, say.")
  List<String> command;

  /** The agent's flags this command's options ask for, in the agent's order. */
  private List<String> flags() {
    List<String> flags = new ArrayList<>();
    if (safeMode) {
      flags.add("safe-mode");
    }
    if (noFollow) {
      flags.add("no-follow");
    }
    if (platformThreads) {
      flags.add("platform-threads");
    }
    if (main.verbose) {
      flags.add("verbose");
    }
    return flags;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    String arguments =
        AgentLaunch.agentArguments(
            main.home().directory(),
            Optional.ofNullable(entry),
            only,
            except,
            Optional.ofNullable(report),
            flags());
    String toolOptions =
        AgentLaunch.javaToolOptions(
            AgentLaunch.agentJar(),
            arguments,
            Optional.ofNullable(main.environment().get(AgentLaunch.TOOL_OPTIONS)));
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
