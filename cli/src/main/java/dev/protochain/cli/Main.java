package dev.protochain.cli;

import dev.protochain.api.ProtochainException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code protochain} command line.
 *
 * <p>Exit codes: 0 success; 1 refused or invalid (a catalog that fails validation, a refused
 * edit, a provider that will not start); 2 usage; 3 I/O error or catalog busy. An error is one
 * line on standard error naming what failed and where; {@code --verbose} adds the stack trace.
 */
@Command(
    name = "protochain",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Layered protocol chains for the JVM: a catalog of base transports and layers over them.",
    subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  /** Success. */
  static final int OK = 0;
  /** Refused or invalid. */
  static final int REFUSED = 1;
  /** Usage error. */
  static final int USAGE = 2;
  /** I/O error or catalog busy. */
  static final int IO = 3;

  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
  boolean verbose;

  private Main() {}

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given output streams and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    Main main = new Main();
    CommandLine cli = new CommandLine(main);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(Main::exitCode);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("protochain " + commandName(commandLine) + ": " + oneLine(e));
      if (main.verbose) {
        e.printStackTrace(commandLine.getErr());
      }
      commandLine.getErr().flush();
      return exitCode(e);
    });
    cli.getCommandSpec().usageMessage().exitCodeListHeading("Exit codes:%n");
    cli.getCommandSpec().usageMessage().exitCodeList(java.util.Map.of(
        "0", "success", "1", "refused or invalid", "2", "usage error", "3", "I/O error or catalog busy"));
    return cli.execute(args);
  }

  static int exitCode(Throwable e) {
    if (e instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    if (e instanceof ProtochainException) {
      ProtochainException.Code code = ((ProtochainException) e).code();
      return code == ProtochainException.Code.CATALOG_BUSY || code == ProtochainException.Code.OPERATION_ABORTED
          ? IO : REFUSED;
    }
    if (e instanceof java.io.IOException) {
      return IO;
    }
    return REFUSED;
  }

  /** Returns the message of {@code e} on one line: its first line, or its class if it has none. */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.toString();
    }
    return m.replace("\r", "").replace("\n\n", ": ").replace("\n", "; ");
  }

  private static String commandName(CommandLine cl) {
    String qualified = cl.getCommandSpec().qualifiedName(" ");
    return qualified.startsWith("protochain ") ? qualified.substring("protochain ".length()) : qualified;
  }

  /** Reads the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"protochain " + (v == null ? "(development build)" : v)};
    }
  }
}
