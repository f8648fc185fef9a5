package dev.protochain.cli;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.UnloadCheck;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options {@code connect} and {@code listen} share, and the steps around a connection that
 * follow from them: the runtime they ask for before it, the check after it.
 */
final class NetcatOptions {

  private final OptionSpec entry;
  private final OptionSpec checkUnload;
  private final OptionSpec safeMode;

  /** Adds the options to {@code spec}. */
  NetcatOptions(CommandSpec spec) {
    entry =
        CommandSpecs.add(
            spec,
            CommandSpecs.option(
                    "--entry", "ID|NAME", "The base or chain entry to use, by id or name.")
                .converters(new Ranges.EntryRef()));
    checkUnload =
        CommandSpecs.add(
            spec,
            CommandSpecs.flag(
                "--check-unload",
                "After the connection, prove that every plugin the chain loaded was unloaded: its class loader"
                    + " collected, no descriptor open on its jar, no thread of its left; exit 1 if not."));
    safeMode =
        CommandSpecs.add(
            spec,
            CommandSpecs.flag(
                "--safe-mode", "Use base entries only, whatever layers the catalog holds."));
  }

  private UnloadCheck check;

  /**
   * Returns a runtime builder over the home's catalog, watching plugin unloads with {@code
   * --check-unload}.
   */
  ChainRuntime.Builder runtime(Main main, CommandSpec spec, String command) throws IOException {
    check = new UnloadCheck(); // always: a failed unload is told even without --check-unload
    return main.runtime(command, main.store(spec).read().catalog(), check)
        .safeMode(CommandSpecs.given(safeMode));
  }

  /**
   * Starts up {@code --entry}, or the entry an application asking for (family, stream, TCP) gets.
   */
  Session startup(ChainRuntime runtime, AddressFamily family) throws IOException {
    return Netcat.startup(runtime, entry.getValue(), family);
  }

  /** Returns {@code " over 3001 'trace-tcp4' (chain trace > tcp4)"}, and says so in safe mode. */
  String over(Session session, ChainRuntime runtime) {
    return " over "
        + Netcat.describe(session, runtime.catalog())
        + (CommandSpecs.given(safeMode) ? " in safe mode" : "");
  }

  /**
   * Tells what was carried, then checks the unloads with {@code --check-unload}; returns the exit
   * code.
   */
  int finish(PrintWriter err, String command, Netcat.Carried carried) throws InterruptedException {
    Netcat.tell(
        err,
        command,
        "sent "
            + carried.sent()
            + " bytes and received "
            + carried.received()
            + "; the connection is closed");
    return Netcat.checkUnload(check, CommandSpecs.given(checkUnload), err, command);
  }
}
