package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtochainException;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogInvalidException;
import dev.protochain.runtime.CatalogProblem;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LauncherDefaults;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.UnloadCheck;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code protochain} command line.
 *
 * <p>Exit codes: 0 success; 1 refused or invalid (a catalog that fails validation, a refused edit,
 * a provider that will not start); 2 usage; 3 I/O error or catalog busy. An error is one line on
 * standard error naming what failed and where; {@code --verbose} adds the stack trace.
 */
public final class Main {

  /**
   * The commands, in the order the help lists them. They are added to the command line in {@link
   * #commands}: a run builds the model of the one it runs only.
   */
  static final List<String> COMMANDS =
      List.of("catalog", "connect", "listen", "demo", "run", "status", "help");

  /** Returns the model of a new command named {@code name}, one of {@link #COMMANDS}. */
  private CommandSpec command(String name) {
    switch (name) {
      case "catalog":
        return new CatalogCommand().spec;
      case "connect":
        return new ConnectCommand(this).spec;
      case "listen":
        return new ListenCommand(this).spec;
      case "demo":
        return new DemoCommand().spec;
      case "run":
        return new RunCommand(this).spec;
      case "status":
        return new StatusCommand(this).spec;
      case "help":
        return new HelpCommand().spec;
      default:
        throw new IllegalArgumentException(name);
    }
  }

  /** Success. */
  static final int OK = 0;

  /** Refused or invalid. */
  static final int REFUSED = 1;

  /** Usage error. */
  static final int USAGE = 2;

  /** I/O error or catalog busy. */
  static final int IO = 3;

  /** The root command's model; its options are every command's ({@code INHERIT}). */
  private final CommandSpec spec;

  private final OptionSpec verbose;
  private final OptionSpec home;
  private final OptionSpec lockWait;

  private final InputStream stdin;
  private final OutputStream stdout;
  private final Map<String, String> environment;
  private final boolean interactive;

  private Main(
      InputStream stdin,
      OutputStream stdout,
      Map<String, String> environment,
      boolean interactive) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.environment = environment;
    this.interactive = interactive;
    spec =
        CommandSpecs.command(
                this,
                "protochain",
                "Layered protocol chains for the JVM: a catalog of base transports and layers over"
                    + " them.")
            .versionProvider(new Version());
    Map<String, String> exitCodes = new LinkedHashMap<>();
    exitCodes.put("0", "success");
    exitCodes.put("1", "refused or invalid");
    exitCodes.put("2", "usage error");
    exitCodes.put("3", "I/O error or catalog busy");
    spec.usageMessage().exitCodeListHeading("Exit codes:%n").exitCodeList(exitCodes);
    verbose =
        CommandSpecs.add(
            spec,
            CommandSpecs.flag(
                    "--verbose",
                    "Print the stack trace of an error, and the runtime's log of warnings and"
                        + " failures.")
                .scopeType(CommandLine.ScopeType.INHERIT));
    home =
        CommandSpecs.add(
            spec,
            CommandSpecs.pathOption(
                    "--home",
                    "DIR",
                    "The protochain home holding the catalog (default: $PROTOCHAIN_HOME, else"
                        + " ~/.protochain).")
                .scopeType(CommandLine.ScopeType.INHERIT));
    lockWait =
        CommandSpecs.add(
            spec,
            CommandSpecs.option(
                    "--lock-wait",
                    "DURATION",
                    "How long a catalog change waits for another writer to finish: a whole number"
                        + " and a unit, such as 500ms, 10s, 2m or 1h (default: ${DEFAULT-VALUE}).")
                .type(Duration.class)
                .converters(new DurationConverter())
                .defaultValue("10s")
                .scopeType(CommandLine.ScopeType.INHERIT));
  }

  /** Returns whether {@code --verbose} was given. */
  boolean verbose() {
    return CommandSpecs.given(verbose);
  }

  /** The SLF4J simple logger's level property, which it reads once, at its first use. */
  static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

  /**
   * Runs the command line and exits with its code. The runtime's log is off unless {@code
   * --verbose} asks for it (warnings and failures, with their stack traces), so that an error is
   * the one line the command prints; a level set with {@code -D} wins.
   */
  public static void main(String[] args) {
    LauncherDefaults.apply(); // before anything loads Guice
    if (System.getProperty(LOG_LEVEL) == null) {
      System.setProperty(LOG_LEVEL, List.of(args).contains("--verbose") ? "warn" : "off");
    }
    // Text in the platform's charset, as a terminal expects; data bytes untouched.
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true);
    System.exit(
        run(
            args,
            System.in,
            System.out,
            Charset.defaultCharset(),
            err,
            System.getenv(),
            onTerminal()));
  }

  /**
   * Returns whether the process's streams are a terminal. JDK 22 to 24 return a console from {@code
   * System.console()} for redirected streams too (JDK 25 returns null again), and only {@code
   * Console.isTerminal()} (JDK 22) tells; before, a console existed only on a terminal.
   */
  @SuppressWarnings(
      "SystemConsoleNull") // null still means no terminal; isTerminal() tells the rest
  static boolean onTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException beforeJdk22) {
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  /**
   * Runs the command line with the given output writers, no input and the process's environment,
   * and returns the exit code. Bytes that {@code connect} and {@code listen} receive are decoded as
   * UTF-8 onto {@code out}.
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(
        args,
        InputStream.nullInputStream(),
        new DecodingOutputStream(out),
        StandardCharsets.UTF_8,
        err,
        System.getenv(),
        false);
  }

  /**
   * Runs the command line over the given streams and environment (which supplies {@code
   * PROTOCHAIN_HOME}) and returns the exit code. Text goes to {@code out} and {@code err} as UTF-8;
   * {@code connect} and {@code listen} copy {@code in} to their socket and the socket to {@code
   * out}, byte for byte.
   */
  public static int run(
      String[] args,
      InputStream in,
      OutputStream out,
      OutputStream err,
      Map<String, String> environment) {
    return run(
        args,
        in,
        out,
        StandardCharsets.UTF_8,
        new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true),
        environment,
        false);
  }

  private static int run(
      String[] args,
      InputStream in,
      OutputStream out,
      Charset charset,
      PrintWriter err,
      Map<String, String> environment,
      boolean interactive) {
    skipPicocliLookups();
    Main main = new Main(in, out, Map.copyOf(environment), interactive);
    CommandLine cli = main.commands(args);
    // Text only: what connect and listen carry goes to `out` as bytes, past these writers.
    cli.setOut(new PrintWriter(new TerminalWriter(new OutputStreamWriter(out, charset)), true));
    cli.setErr(new PrintWriter(new TerminalWriter(err), true));
    // Colours would be escape sequences, which TerminalWriter would show as text.
    cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    Errors errors = new Errors(main);
    cli.setExitCodeExceptionMapper(errors);
    cli.setExecutionExceptionHandler(errors);
    cli.setParameterExceptionHandler(errors);
    int code = cli.execute(args);
    cli.getOut().flush();
    return code;
  }

  /**
   * Keeps picocli from looking up what the commands never use: Groovy's closures, at its first
   * {@code CommandLine} ({@code groovy.lang.Closure}, a class that is not there, which the class
   * loader seeks in every jar of {@code lib/}, opening each), and in every {@code CommandLine} the
   * converters it finds by reflection: those of {@code java.sql} and {@code java.time} types, whose
   * classes it initialises ({@code java.time}'s formatters, {@code DriverManager}), and of {@code
   * Path}. No option is of the first types; a path option has its own converter ({@link
   * CommandSpecs#pathOption}). A value set with {@code -D} wins.
   */
  private static void skipPicocliLookups() {
    if (System.getProperty("picocli.disable.closures") == null) {
      System.setProperty("picocli.disable.closures", "true");
    }
    if (System.getProperty("picocli.converters.excludes") == null) {
      System.setProperty("picocli.converters.excludes", ".*");
    }
  }

  /**
   * Returns the command line with the commands {@code args} can reach: when they name a command
   * (other than {@code help}) after the inherited options, that one alone, and within {@code
   * catalog} the subcommand they name; else all of them, for the help, a suggestion or an error to
   * list. Either way the command that runs, its options and its errors are the same.
   */
  private CommandLine commands(String[] args) {
    CommandLine cli = new CommandLine(spec);
    int at = commandWord(args, 0);
    String name = at < args.length ? args[at] : "";
    boolean one = !name.equals("help") && COMMANDS.contains(name);
    for (String c : COMMANDS) {
      if (one && !c.equals(name)) {
        continue;
      }
      CommandLine command = new CommandLine(command(c));
      if (c.equals("catalog")) {
        int subAt = one ? commandWord(args, at + 1) : args.length;
        String sub = subAt < args.length ? args[subAt] : "";
        boolean oneSub = CatalogCommand.SUBCOMMANDS.contains(sub);
        for (String s : CatalogCommand.SUBCOMMANDS) {
          if (!oneSub || s.equals(sub)) {
            command.addSubcommand(CatalogCommand.subcommand(s, this));
          }
        }
      }
      cli.addSubcommand(command);
    }
    return cli;
  }

  /**
   * Returns the position in {@code args}, from {@code from}, of the first word that is neither an
   * option every command inherits nor its value; {@code args.length} if there is none.
   */
  private static int commandWord(String[] args, int from) {
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--home") || a.equals("--lock-wait")) {
        i++;
      } else if (!a.equals("--verbose")
          && !a.startsWith("--home=")
          && !a.startsWith("--lock-wait=")) {
        return i;
      }
    }
    return args.length;
  }

  /* ---- what the commands share ---- */

  /** Returns the home: {@code --home}, else {@code PROTOCHAIN_HOME}, else {@code ~/.protochain}. */
  ProtochainHome home() {
    return ProtochainHome.resolve(
        Optional.ofNullable(home.getValue()),
        environment,
        Path.of(System.getProperty("user.home")));
  }

  /**
   * Returns the home's catalog store; its notes (a wait for the lock, a first use) go to standard
   * error.
   */
  HomeCatalog store(CommandSpec spec) {
    PrintWriter err = spec.commandLine().getErr();
    String prefix = "protochain " + commandName(spec.commandLine()) + ": ";
    return new HomeCatalog(
        CatalogStore.builder(home())
            .lockWait(lockWait.getValue())
            .onNote(
                note -> {
                  err.println(prefix + note);
                  err.flush();
                })
            .build());
  }

  /** Returns the providers on the class path: the stock ones and any registered beside them. */
  static ProviderSource providers() {
    return ProviderSource.classpath(Main.class.getClassLoader());
  }

  /**
   * Returns the providers {@code catalog} can name: the home's installed plugins, then the class
   * path.
   */
  ProviderSource providers(Catalog catalog) {
    return catalog.plugins().isEmpty()
        ? providers()
        : ProviderSource.firstOf(List.of(home().plugins().source(catalog.plugins()), providers()));
  }

  /**
   * Returns a builder of a runtime named {@code name} over {@code catalog} that loads the home's
   * plugins; with {@code check}, every plugin load is tracked so its unload can be verified.
   */
  ChainRuntime.Builder runtime(String name, Catalog catalog, UnloadCheck check) {
    ProviderSource plugins = home().plugins().source(catalog.plugins());
    return ChainRuntime.builder()
        .name(name)
        .catalog(catalog)
        .source(check == null ? plugins : check.track(plugins));
  }

  /** Returns {@code 1001 'tcp4', 1002 'tcp6'}. */
  static String labels(List<CatalogEntry> entries) {
    return entries.stream().map(Catalog::label).collect(Collectors.joining(", "));
  }

  /** Returns the environment the command runs in (it supplies {@code PROTOCHAIN_HOME}). */
  Map<String, String> environment() {
    return environment;
  }

  InputStream stdin() {
    return stdin;
  }

  OutputStream stdout() {
    return stdout;
  }

  boolean interactive() {
    return interactive;
  }

  /* ---- errors ---- */

  static int exitCode(Throwable e) {
    if (e instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    if (e instanceof ProtochainException) {
      ProtochainException.Code code = ((ProtochainException) e).code();
      return code == ProtochainException.Code.CATALOG_BUSY
              || code == ProtochainException.Code.OPERATION_ABORTED
          ? IO
          : REFUSED;
    }
    if (e instanceof IOException) {
      return IO;
    }
    return REFUSED;
  }

  /**
   * Returns the message of {@code e} on one line: every problem of an invalid catalog numbered in a
   * row, a file error as {@code FILE: reason}, else its message with line breaks folded, or its
   * class if it has none.
   */
  static String oneLine(Throwable e) {
    if (e instanceof CatalogInvalidException) {
      CatalogInvalidException c = (CatalogInvalidException) e;
      String head = e.getMessage().substring(0, e.getMessage().indexOf(':'));
      List<CatalogProblem> problems = c.problems();
      if (problems.size() == 1) {
        return head + ": " + problems.get(0).message();
      }
      StringBuilder sb =
          new StringBuilder(head).append(", ").append(problems.size()).append(" problems:");
      for (int i = 0; i < problems.size(); i++) {
        String m = problems.get(i).message();
        sb.append(i == 0 ? " " : "; ")
            .append(i + 1)
            .append(") ")
            .append(m.endsWith(".") ? m.substring(0, m.length() - 1) : m);
      }
      return sb.toString();
    }
    if (e instanceof FileSystemException) {
      FileSystemException f = (FileSystemException) e;
      return (f.getFile() == null ? "" : f.getFile())
          + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile())
          + ": "
          + (f.getReason() != null ? f.getReason() : reason(f));
    }
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.toString();
    }
    return m.replace("\r", "").replace("\n\n", ": ").replace("\n", "; ");
  }

  private static String reason(FileSystemException f) {
    if (f instanceof AccessDeniedException) {
      return "access denied";
    } else if (f instanceof NoSuchFileException) {
      return "no such file or directory";
    } else if (f instanceof FileAlreadyExistsException) {
      return "already exists";
    } else if (f instanceof NotDirectoryException) {
      return "not a directory";
    } else if (f instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    return f.getClass().getSimpleName();
  }

  /**
   * What the command line does with an error: one line on standard error, the stack trace too with
   * {@code --verbose}, and the exit code. One class for the three handlers picocli asks for, not a
   * lambda each: no lambda class is spun or looked up in the archive at start.
   */
  private static final class Errors
      implements CommandLine.IExecutionExceptionHandler,
          CommandLine.IParameterExceptionHandler,
          CommandLine.IExitCodeExceptionMapper {
    private final Main main;

    Errors(Main main) {
      this.main = main;
    }

    @Override
    public int getExitCode(Throwable e) {
      return exitCode(e);
    }

    @Override
    public int handleExecutionException(
        Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
      commandLine.getOut().flush();
      commandLine.getErr().println("protochain " + commandName(commandLine) + ": " + oneLine(e));
      if (main.verbose()) {
        e.printStackTrace(commandLine.getErr());
      }
      commandLine.getErr().flush();
      return exitCode(e);
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
      CommandLine where = e.getCommandLine();
      String name = commandName(where);
      String message =
          oneLine(e).replaceFirst("^Error: ", ""); // picocli's own prefix, redundant after ours
      where
          .getErr()
          .println(
              "protochain"
                  + (name.isEmpty() ? "" : " " + name)
                  + ": "
                  + message
                  + " (see 'protochain"
                  + (name.isEmpty() ? "" : " " + name)
                  + " --help')");
      where.getErr().flush();
      return USAGE;
    }
  }

  static String commandName(CommandLine cl) {
    String qualified = cl.getCommandSpec().qualifiedName(" ");
    return qualified.equals("protochain")
        ? ""
        : qualified.startsWith("protochain ")
            ? qualified.substring("protochain ".length())
            : qualified;
  }

  /** Reads the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"protochain " + (v == null ? "(development build)" : v)};
    }
  }

  /** Parses a duration as settings do: {@link dev.protochain.api.Settings#parseDuration}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
      try {
        return dev.protochain.api.Settings.parseDuration(text);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** Decodes UTF-8 bytes onto a writer, for {@link #run(String[], PrintWriter, PrintWriter)}. */
  private static final class DecodingOutputStream extends OutputStream {
    private final Writer writer;
    private final CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer pending = ByteBuffer.allocate(8192);
    private final CharBuffer chars = CharBuffer.allocate(8192);

    DecodingOutputStream(Writer writer) {
      this.writer = writer;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer src = ByteBuffer.wrap(b, off, len);
      while (src.hasRemaining()) {
        ByteBuffer slice = src.slice();
        slice.limit(Math.min(slice.remaining(), pending.remaining()));
        pending.put(slice);
        src.position(src.position() + slice.limit());
        pending.flip();
        decoder.decode(pending, chars, false); // an incomplete sequence stays in pending
        pending.compact();
        chars.flip();
        writer.append(chars);
        chars.clear();
      }
    }

    @Override
    public void flush() throws IOException {
      writer.flush();
    }
  }
}
