package dev.protochain.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code protochain help [COMMAND]}: the usage help of COMMAND, or of {@code protochain}. It is
 * picocli's {@link CommandLine.HelpCommand} (same model, same texts, same errors) with its model
 * built in code as the other commands' are (see {@link CommandSpecs}): picocli's reads its
 * annotations.
 */
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Callable<Integer> {

  final CommandSpec spec = CommandSpec.wrapWithoutInspection(this).name("help").helpCommand(true);

  private final PositionalParamSpec command =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter("COMMAND", "The COMMAND to display the usage help message for.")
              .arity("0..1"));

  private CommandLine self;
  private CommandLine.Help.ColorScheme colors;
  private PrintWriter out;

  HelpCommand() {
    spec.usageMessage()
        .header("Display help information about the specified command.")
        .synopsisHeading("%nUsage: ")
        .description(
            "%nWhen no COMMAND is given, the usage help for the main command is displayed.",
            "If a COMMAND is specified, the help for that command is shown.%n");
    CommandSpecs.add(
        spec, CommandSpecs.usageHelp("Show usage help for the help command and exit."));
  }

  @Override
  public void init(
      CommandLine helpCommandLine,
      CommandLine.Help.ColorScheme colorScheme,
      PrintWriter out,
      PrintWriter err) {
    this.self = helpCommandLine;
    this.colors = colorScheme;
    this.out = out;
  }

  @Override
  public Integer call() {
    CommandLine parent = self.getParent();
    String name = command.getValue();
    CommandLine shown = parent;
    if (name != null) {
      shown = parent.getCommandSpec().subcommands().get(name);
      if (shown == null) {
        throw new CommandLine.ParameterException(
            parent, "Unknown subcommand '" + name + "'.", null, name);
      }
    }
    shown.usage(out, colors);
    return shown.getCommandSpec().exitCodeOnUsageHelp();
  }
}
