package dev.protochain.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for a test: a fresh cluster in a temporary directory, listening on an
 * ephemeral port of 127.0.0.1, trusting local connections, stopped and deleted by {@link #close()}.
 * It needs Debian's {@code postgresql} package (which {@code .ci/run} installs); running as root,
 * it runs the server as the {@code postgres} user, since PostgreSQL refuses to run as root. Shared
 * by the tests of several modules (the JDBC bridge test, the agent's integration test).
 */
public final class PostgresServer implements AutoCloseable {

  private final Path base;
  private final Path data;
  private final Path bin;
  private final boolean asPostgres;
  private final int port;

  private PostgresServer(Path base, Path data, Path bin, boolean asPostgres, int port) {
    this.base = base;
    this.data = data;
    this.bin = bin;
    this.asPostgres = asPostgres;
    this.port = port;
  }

  /** Starts a fresh server, or fails the test saying what to install. */
  public static PostgresServer start() throws Exception {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path base = Files.createTempDirectory("protochain-pg");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path data = base.resolve("data");
    Files.createDirectory(data);
    if (root) {
      run(List.of("chown", "postgres:postgres", data.toString()), false, null);
    }
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    PostgresServer server = new PostgresServer(base, data, bin, root, port);
    server.pg(
        "initdb",
        "-D",
        data.toString(),
        "-U",
        "protochain",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-locale");
    server.pg(
        "pg_ctl",
        "-D",
        data.toString(),
        "-l",
        data.resolve("server.log").toString(),
        "-w",
        "-t",
        "30",
        "-o",
        "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1 -c fsync=off",
        "start");
    return server;
  }

  /** Returns the JDBC URL of the server's {@code postgres} database. */
  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=protochain&sslmode=disable";
  }

  /** Returns the server's port on 127.0.0.1. */
  public int port() {
    return port;
  }

  private void pg(String tool, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(List.of(args));
    run(cmd, asPostgres, data);
  }

  private static void run(List<String> cmd, boolean asPostgres, Path log) throws Exception {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(cmd);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String output =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      String serverLog =
          log != null && Files.exists(log.resolve("server.log"))
              ? Files.readString(log.resolve("server.log"))
              : "";
      fail(String.join(" ", full) + " failed:\n" + output + serverLog);
    }
  }

  /**
   * Finds the server binaries of the newest PostgreSQL installed the Debian way, or fails saying
   * what to install.
   */
  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Path newest =
            versions
                .map(v -> v.resolve("bin"))
                .filter(
                    b ->
                        Files.isExecutable(b.resolve("initdb"))
                            && Files.isExecutable(b.resolve("pg_ctl")))
                .max(
                    Comparator.comparing(
                        b ->
                            Integer.parseInt(
                                b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                .orElse(null);
        if (newest != null) {
          return newest;
        }
      }
    }
    throw new AssertionError(
        "the PostgreSQL server is not installed (Debian package postgresql; .ci/run installs it),"
            + " so the JDBC bridge test cannot run"
            + ("true".equals(System.getenv("CI")) ? " in CI" : ""));
  }

  @Override
  public void close() throws Exception {
    try {
      pg("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t", "30", "stop");
    } finally {
      try (Stream<Path> all = Files.walk(base)) {
        for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
