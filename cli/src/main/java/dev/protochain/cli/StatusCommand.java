package dev.protochain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.protochain.runtime.ChainRuntimeMXBean.EntryInfo;
import dev.protochain.runtime.ChainRuntimeMXBean.ProviderInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code protochain status [PID] [--json]}: the runtimes of a running JVM, read from their JMX
 * views, or the local JVMs that run one (the project's {@code netsh winsock show catalog} of a live
 * process).
 */
final class StatusCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "status",
          "Show the protochain runtimes of the local JVM PID: for each, the catalog generation it uses"
              + " and its home (and whether it follows the home's changes), the sessions and sockets"
              + " open, the entries in use, each loaded provider with its count, the bytes left"
              + " undelivered and the failures by code.",
          "Without PID, list this user's JVMs that run a protochain runtime.",
          "The JVM is reached through the Attach API and its local management agent, which the first"
              + " status starts (as jconsole does) and which accepts connections from this machine"
              + " only: the JVM needs no option or agent of its own. A JVM is asked for its system"
              + " properties first, and its agent left alone unless it ran a runtime. With --verbose,"
              + " the listing says why it passed over a JVM that refused.");

  private final PositionalParamSpec pid =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter("PID", "The process id of a local JVM.")
              .type(Long.class)
              .arity("0..1"));

  private final OptionSpec json =
      CommandSpecs.add(
          spec,
          CommandSpecs.flag(
              "--json",
              "Print JSON for scripts: with PID, {pid, command, runtimes: [...]}; without,"
                  + " {jvms: [...]} of those."));

  StatusCommand(Main main) {
    this.main = main;
  }

  /**
   * One JVM and its runtimes; its components are the JSON fields.
   *
   * @param pid its process id
   * @param command what it runs, as the JVM names it
   * @param runtimes its runtimes, by object name
   */
  record JvmStatus(long pid, String command, List<RuntimeStatus> runtimes) {}

  /** The listing, for JSON. */
  record Listing(List<JvmStatus> jvms) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Long pid = this.pid.getValue();
    boolean json = CommandSpecs.given(this.json);
    if (pid != null) {
      if (pid <= 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "PID must be a process id (a whole number from 1), not " + pid);
      }
      JvmStatus status;
      try (LocalJvms.Connection c = LocalJvms.connect(pid)) {
        status = read(c);
      }
      if (status.runtimes().isEmpty()) {
        throw new LocalJvms.Jvm(status.pid(), status.command()).noRuntime();
      }
      out.print(json ? json(status) : describe(status));
    } else {
      PrintWriter err = spec.commandLine().getErr();
      List<JvmStatus> found =
          list(
              LocalJvms.list(),
              note -> {
                if (main.verbose()) {
                  err.println("protochain status: passed over " + note);
                  err.flush();
                }
              });
      out.print(json ? json(new Listing(found)) : table(found));
    }
    out.flush();
    return Main.OK;
  }

  /** At most how many JVMs the listing attaches to at once. */
  private static final int ATTACHING = 8;

  /**
   * Returns each of {@code candidates} that runs a runtime, in their order. One that refuses the
   * attach or fails is left out, and told to {@code passedOver}. The JVMs are attached to a few at
   * a time: a JVM's first attach waits for it to start its attach listener (200 ms or more).
   */
  static List<JvmStatus> list(List<LocalJvms.Jvm> candidates, Consumer<String> passedOver)
      throws InterruptedException {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(ATTACHING, candidates.size())),
            r -> {
              Thread t = new Thread(r, "protochain-status");
              t.setDaemon(true); // a JVM that never answers does not keep the command alive
              return t;
            });
    try {
      List<Future<Optional<JvmStatus>>> each = new ArrayList<>();
      for (LocalJvms.Jvm jvm : candidates) {
        each.add(pool.submit(() -> status(jvm)));
      }
      List<JvmStatus> found = new ArrayList<>();
      for (Future<Optional<JvmStatus>> f : each) {
        try {
          f.get().ifPresent(found::add);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException || cause instanceof SecurityException) {
            passedOver.accept(Main.oneLine(cause)); // SecurityException: a JMX login refused
          } else if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
          } else {
            throw new IllegalStateException(cause);
          }
        }
      }
      return found;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Returns the status of {@code jvm} if it runs a runtime. */
  private static Optional<JvmStatus> status(LocalJvms.Jvm jvm) throws IOException {
    Optional<LocalJvms.Connection> connection = LocalJvms.attach(jvm);
    if (connection.isEmpty()) {
      return Optional.empty();
    }
    try (LocalJvms.Connection c = connection.get()) {
      JvmStatus status = read(c);
      return status.runtimes().isEmpty() ? Optional.empty() : Optional.of(status);
    }
  }

  private static JvmStatus read(LocalJvms.Connection c) throws IOException {
    return new JvmStatus(c.jvm().pid(), c.jvm().command(), RuntimeStatus.readAll(c.server()));
  }

  /** Returns {@code value} as indented JSON and a line break. */
  static String json(Object value) throws IOException {
    return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
  }

  /* ---- text ---- */

  /** Returns the JVM's line, then each runtime's part. */
  static String describe(JvmStatus status) {
    StringBuilder sb =
        new StringBuilder(new LocalJvms.Jvm(status.pid(), status.command()).toString())
            .append(": ")
            .append(CatalogTable.count(status.runtimes().size(), "runtime", "runtimes"))
            .append('\n');
    for (RuntimeStatus r : status.runtimes()) {
      sb.append('\n').append(describe(r));
    }
    return sb.toString();
  }

  /**
   * Returns {@code runtime 'NAME'}, its catalog, what is open, undelivered and failed, then its
   * entries in use and its providers as tables.
   */
  static String describe(RuntimeStatus r) {
    StringBuilder sb = new StringBuilder("runtime '").append(r.name()).append("'\n");
    List<String[]> facts = new ArrayList<>();
    facts.add(new String[] {"catalog", catalog(r)});
    facts.add(
        new String[] {
          "open",
          CatalogTable.count(r.openSessions(), "session", "sessions")
              + ", "
              + CatalogTable.count(r.openSockets(), "socket", "sockets")
        });
    facts.add(
        new String[] {"undelivered", CatalogTable.count(r.bytesUndelivered(), "byte", "bytes")});
    facts.add(
        new String[] {
          "failures",
          r.failures().isEmpty()
              ? "none"
              : r.failures().entrySet().stream()
                  .map(f -> f.getKey() + " " + f.getValue())
                  .collect(Collectors.joining(", "))
        });
    sb.append(Columns.format("  ", facts));

    sb.append("  entries in use:");
    if (r.entries().isEmpty()) {
      sb.append(" none\n");
    } else {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "NAME", "SESSIONS", "SOCKETS"});
      for (EntryInfo e : r.entries()) {
        rows.add(
            new String[] {
              Integer.toString(e.getEntry()),
              e.getName(),
              Integer.toString(e.getSessions()),
              Integer.toString(e.getSockets())
            });
      }
      sb.append('\n').append(Columns.format("    ", rows));
    }

    sb.append("  providers:");
    if (r.providers().isEmpty()) {
      sb.append(" none loaded yet\n");
    } else {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "NAME", "STATE", "COUNT", "LOADS", "LAST LOAD"});
      for (ProviderInfo p : r.providers()) {
        rows.add(
            new String[] {
              Integer.toString(p.getEntry()),
              p.getName(),
              p.getState(),
              Integer.toString(p.getCount()),
              Integer.toString(p.getLoads()),
              String.format(Locale.ROOT, "%.1f ms", p.getLastLoadMicros() / 1000.0)
            });
      }
      sb.append('\n').append(Columns.format("    ", rows));
    }
    return sb.toString();
  }

  /**
   * Returns {@code generation 3 of HOME, followed}, {@code generation 3 of HOME, a snapshot (not
   * followed)}, or {@code given to the runtime's builder, not read from a home}.
   */
  private static String catalog(RuntimeStatus r) {
    if (r.catalogHome().isEmpty()) {
      return "given to the runtime's builder, not read from a home";
    }
    return "generation "
        + r.catalogGeneration()
        + " of "
        + r.catalogHome()
        + (r.followingCatalog() ? ", followed" : ", a snapshot (not followed)");
  }

  /** Returns one line a JVM: PID, runtimes, sessions, sockets, command; or a line saying none. */
  static String table(List<JvmStatus> jvms) {
    if (jvms.isEmpty()) {
      return "no JVM of this user runs a protochain runtime\n";
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"PID", "RUNTIMES", "SESSIONS", "SOCKETS", "COMMAND"});
    for (JvmStatus j : jvms) {
      rows.add(
          new String[] {
            Long.toString(j.pid()),
            j.runtimes().stream().map(RuntimeStatus::name).collect(Collectors.joining(",")),
            Integer.toString(j.runtimes().stream().mapToInt(RuntimeStatus::openSessions).sum()),
            Integer.toString(j.runtimes().stream().mapToInt(RuntimeStatus::openSockets).sum()),
            j.command()
          });
    }
    return Columns.format("", rows);
  }
}
