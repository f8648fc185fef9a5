package dev.protochain.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the command line's argument parsing: a valid command line of every command, mutated
 * (tokens deleted, repeated, swapped, replaced or inserted from a pool of options, numbers past
 * every range, durations, names, settings, control characters and long strings), run in this JVM
 * against a home holding layers and chains. Every case ends within a bound with exit 0, 1, 2 or
 * (for the network and the file system, as documented) 3; a failure writes one line on standard
 * error (after what {@code connect} and {@code listen} said they were doing), never a stack trace
 * unless {@code --verbose}; and a failed command leaves the catalog and its backup byte for byte as
 * they were. A {@code listen} that starts listening is ended by a client that connects and closes.
 */
class CommandLineFuzzTest {

  /** The longest one case may take. */
  static final int CASE_SECONDS = 30;

  static final Pattern LISTENING =
      Pattern.compile("protochain listen: listening on (\\S+) port (\\d+).*");

  /** Messages of the JDK's that say nothing of what was wrong with the command line. */
  static final List<String> JDK_MESSAGES =
      List.of(
          "For input string",
          "overflow",
          "NumberFormatException",
          "NullPointerException",
          "IndexOutOfBoundsException",
          "ClassCastException",
          "ArithmeticException");

  /** Numbers past every range, and durations past theirs. */
  static final List<String> NUMBERS =
      List.of(
          "0",
          "-1",
          "65536",
          "2147483648",
          "99999999999",
          "99999999999999",
          "99999999999999999999999",
          "5",
          "-1s",
          "9999999999999999m");

  static Path root;

  static Path home;

  static byte[] catalog;

  static byte[] backup;

  static ExecutorService pool;

  static final List<List<String>> VALID =
      List.of(
          List.of("catalog", "show"),
          List.of("catalog", "show", "--json"),
          List.of("catalog", "install", "--layer", "trace", "--over", "tcp4,1002"),
          List.of("catalog", "install", "--layer", "coalesce", "--all", "--set", "delay=5ms"),
          List.of(
              "catalog",
              "install",
              "--layer",
              "socks5",
              "--over",
              "tcp4",
              "--set",
              "proxy=127.0.0.1:1"),
          List.of("catalog", "remove", "3001", "--cascade"),
          List.of("catalog", "remove", "trace"),
          List.of("catalog", "order", "1001,3001,1002,1003,1004,1005,1006"),
          List.of("catalog", "reset"),
          List.of("catalog", "restore"),
          List.of("catalog", "verify"),
          List.of("catalog", "explain", "inet", "stream", "tcp", "--safe-mode"),
          List.of("catalog", "layers", "tls"),
          List.of("catalog", "install", "--layer", "tls", "--help"),
          List.of("--lock-wait", "1s", "catalog", "reset"),
          List.of("connect", "--entry", "tcp4", "--connect-timeout", "2s", "127.0.0.1", "1"),
          List.of("connect", "--safe-mode", "::1", "1"),
          List.of("listen", "--bind", "127.0.0.1", "0"),
          List.of("listen", "--entry", "3001", "0"),
          List.of("demo", "--bytes", "1000"),
          List.of("help", "catalog"),
          List.of("--version"));

  static final List<String> POOL =
      List.of(
          // options, right and wrong
          "--over",
          "--all",
          "--set",
          "--layer",
          "--plugin",
          "--entry",
          "--json",
          "--cascade",
          "--safe-mode",
          "--bind",
          "--bytes",
          "--lock-wait",
          "--connect-timeout",
          "--help",
          "-h",
          "--version",
          "-V",
          "--verbose",
          "--",
          "-",
          "---",
          "--set=",
          "--over=",
          "-x",
          // commands
          "catalog",
          "show",
          "install",
          "remove",
          "order",
          "reset",
          "restore",
          "verify",
          "explain",
          "layers",
          "connect",
          "listen",
          "demo",
          "help",
          // numbers past every range
          "0",
          "-1",
          "1",
          "1001",
          "3001",
          "65535",
          "65536",
          "2147483647",
          "2147483648",
          "-2147483649",
          "99999999999999",
          "99999999999999999999999",
          "+5",
          "0x10",
          "1e3",
          // durations
          "5",
          "5ms",
          "-1s",
          "1h",
          "9999999999999999m",
          "2562048h",
          "ms",
          // names and addresses
          "tcp4",
          "tcp6",
          "trace",
          "coalesce",
          "tls",
          "socks5",
          "nosuch",
          "inet",
          "stream",
          "tcp",
          "udp",
          "memory",
          "127.0.0.1",
          "::1",
          "0.0.0.0",
          "localhost",
          "256.1.1.1",
          // settings and lists
          "delay=abc",
          "delay=",
          "=",
          "a=b=c",
          "threshold=99999999999",
          "password=@env:NO_SUCH_VAR_1",
          "password=@file:",
          "level=info",
          "1001,",
          ",",
          "1001,,1002",
          "trace,trace",
          // text that must not reach a terminal raw, and text too long
          "",
          " ",
          "\u0000",
          "\u001b[2J",
          "\u009b31m",
          "\u202e",
          "é",
          "x".repeat(5_000));

  @BeforeContainer
  static void home() throws IOException {
    root = Files.createTempDirectory("protochain-cli-fuzz");
    home = root.resolve("home");
    Cli cli = new Cli(home);
    cli.ok("catalog", "install", "--layer", "coalesce", "--over", "tcp4", "--set", "delay=0");
    cli.ok("catalog", "install", "--layer", "trace", "--over", "3001,tcp6");
    catalog = Files.readAllBytes(home.resolve("catalog.json"));
    backup = Files.readAllBytes(home.resolve("catalog.json.bak"));
    pool = Executors.newCachedThreadPool();
  }

  @AfterContainer
  static void cleanUp() throws IOException {
    pool.shutdownNow();
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Property(tries = 400, generation = GenerationMode.RANDOMIZED)
  void everyCommandLineEndsCleanly(@ForAll("commandLines") List<String> args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--home", home.toString()));
    all.addAll(args);
    LineSink err = new LineSink();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Future<Integer> run =
        pool.submit(
            () ->
                Main.run(
                    all.toArray(String[]::new), InputStream.nullInputStream(), out, err, Map.of()));
    int code = awaitEndingAListen(run, err, args);
    String stderr = err.all();
    String shown = "protochain " + String.join(" ", args) + "\nexit " + code + "\n" + stderr;

    assertTrue(code >= 0 && code <= 3, shown);
    Statistics.label("exit").collect(code);
    boolean data = args.contains("connect") || args.contains("listen");
    for (String text : data ? List.of(stderr) : List.of(stderr, out.toString(UTF_8))) {
      assertTrue(
          text.chars().noneMatch(c -> TerminalWriter.isControl((char) c)),
          "a control character reached the terminal: " + shown);
    }
    boolean verbose = args.contains("--verbose");
    if (!verbose) {
      assertFalse(stderr.contains("\tat "), shown);
      assertFalse(stderr.contains("Caused by: "), shown);
    }
    if (code != 0) {
      List<String> lines = stderr.lines().toList();
      boolean netcat = args.contains("connect") || args.contains("listen");
      if (!verbose) {
        // connect and listen say what they are doing before they fail; anything else says one line.
        assertTrue(netcat ? !lines.isEmpty() : lines.size() == 1, shown);
        for (String line : lines) {
          assertTrue(line.startsWith("protochain"), shown);
        }
      }
      for (String leak : JDK_MESSAGES) {
        assertFalse(stderr.contains(leak), "a JDK message, unexplained: " + shown);
      }
      if (code == 3) {
        assertTrue(
            netcat || args.contains("--plugin"), "exit 3 with no network or file named: " + shown);
      }
      assertArrayEquals(catalog, Files.readAllBytes(home.resolve("catalog.json")), shown);
      assertArrayEquals(backup, Files.readAllBytes(home.resolve("catalog.json.bak")), shown);
    } else {
      // A successful change: put the fixed catalog back for the next case.
      Files.write(home.resolve("catalog.json"), catalog);
      Files.write(home.resolve("catalog.json.bak"), backup);
    }
  }

  /** Waits for the run; a listen that reports its port gets a client that connects and closes. */
  private static int awaitEndingAListen(Future<Integer> run, LineSink err, List<String> args)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CASE_SECONDS);
    int seen = 0;
    while (true) {
      try {
        return run.get(50, TimeUnit.MILLISECONDS);
      } catch (TimeoutException notYet) {
        List<String> lines = err.all().lines().toList();
        for (; seen < lines.size(); seen++) {
          Matcher m = LISTENING.matcher(lines.get(seen));
          if (m.matches()) {
            InetAddress address = InetAddress.getByName(m.group(1)); // a literal: no lookup
            try (Socket client = new Socket()) {
              client.connect(
                  new InetSocketAddress(
                      address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address,
                      Integer.parseInt(m.group(2))),
                  5_000);
            } catch (IOException e) {
              throw new UncheckedIOException("could not end " + args, e);
            }
          }
        }
        if (System.nanoTime() > deadline) {
          run.cancel(true);
          fail(
              "protochain "
                  + String.join(" ", args)
                  + " did not end within "
                  + CASE_SECONDS
                  + " s:\n"
                  + err.all());
        }
      }
    }
  }

  @Provide
  Arbitrary<List<String>> commandLines() {
    Arbitrary<List<String>> valid = Arbitraries.of(VALID);
    Arbitrary<List<Mutation>> mutations =
        Combinators.combine(
                Arbitraries.integers().between(0, 6),
                Arbitraries.integers().between(0, 1_000),
                Arbitraries.integers().between(0, 1_000),
                Arbitraries.of(POOL))
            .as(Mutation::new)
            .list()
            .ofMinSize(0)
            .ofMaxSize(4);
    return Combinators.combine(valid, mutations)
        .as(
            (base, ms) -> {
              List<String> args = new ArrayList<>(base);
              ms.forEach(m -> m.apply(args));
              return List.copyOf(args);
            });
  }

  /**
   * One change to an argument list: delete, repeat, swap, replace, insert, replace a number by one
   * past its range, or truncate.
   *
   * @param kind which change
   * @param i where (modulo the list's size)
   * @param j the other place, for a swap
   * @param token what a replace or insert puts in
   */
  record Mutation(int kind, int i, int j, String token) {
    void apply(List<String> args) {
      int n = args.size();
      switch (kind) {
        case 0 -> {
          if (n > 0) {
            args.remove(i % n);
          }
        }
        case 1 -> {
          if (n > 0) {
            args.add(i % n, args.get(i % n));
          }
        }
        case 2 -> {
          if (n > 1) {
            String a = args.get(i % n);
            args.set(i % n, args.get(j % n));
            args.set(j % n, a);
          }
        }
        case 3 -> {
          if (n > 0) {
            args.set(i % n, token);
          }
        }
        case 4 -> args.add(i % (n + 1), token);
        case 5 -> {
          // A number where the command line has one: ids, ports, byte counts, durations.
          List<Integer> numbers = new ArrayList<>();
          for (int k = 0; k < n; k++) {
            if (args.get(k).matches("\\d+(ms|s|m|h)?")) {
              numbers.add(k);
            }
          }
          if (!numbers.isEmpty()) {
            args.set(numbers.get(i % numbers.size()), NUMBERS.get(j % NUMBERS.size()));
          }
        }
        default -> {
          while (args.size() > i % (n + 1)) {
            args.remove(args.size() - 1);
          }
        }
      }
    }
  }
}
