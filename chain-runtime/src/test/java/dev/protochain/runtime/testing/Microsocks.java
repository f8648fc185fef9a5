package dev.protochain.runtime.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real SOCKS5 server for interop tests: Debian's {@code microsocks}, started on 127.0.0.1 with an
 * ephemeral port, with or without username/password authentication. Fails the test if microsocks is
 * not on the {@code PATH}. Not thread-safe.
 */
public final class Microsocks implements AutoCloseable {

  private final ExternalProcess process;
  private final int port;

  private Microsocks(ExternalProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts microsocks without authentication. */
  public static Microsocks start(Path dir) throws IOException, InterruptedException {
    return start(dir, null, null);
  }

  /**
   * Starts microsocks, requiring {@code username} and {@code password} if they are not null, and
   * returns once it accepts connections.
   */
  public static Microsocks start(Path dir, String username, String password)
      throws IOException, InterruptedException {
    Path program = ExternalProcess.locate("microsocks", "microsocks");
    String failures = "";
    // A free port can be taken between our probe and microsocks' bind: then it exits, and we retry.
    for (int attempt = 1; attempt <= 3; attempt++) {
      int port;
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        port = probe.getLocalPort();
      }
      List<String> command =
          new ArrayList<>(
              List.of(program.toString(), "-i", "127.0.0.1", "-p", String.valueOf(port)));
      if (username != null) {
        command.addAll(List.of("-u", username, "-P", password));
      }
      ExternalProcess p = ExternalProcess.start("microsocks", dir, command);
      if (awaitAccepting(p, port)) {
        return new Microsocks(p, port);
      }
      p.close();
      failures += "\nattempt " + attempt + " on port " + port + ": " + p.stdout() + p.stderr();
    }
    return fail("microsocks did not accept connections on 127.0.0.1 within 10 s:" + failures);
  }

  private static boolean awaitAccepting(ExternalProcess p, int port) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline && p.isAlive()) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return true;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    return false;
  }

  /** Returns the port it listens on, on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Returns {@code 127.0.0.1:PORT}, the value of the socks5 layer's {@code proxy} setting. */
  public String proxy() {
    return "127.0.0.1:" + port;
  }

  /**
   * Waits up to 10 s for microsocks to log {@code text} (it logs each connection it makes on its
   * standard error, as {@code client[4] 127.0.0.1: connected to localhost:8080}); fails the test
   * with its output if it does not.
   */
  public void awaitLog(String text) throws InterruptedException {
    process.awaitStderr(text, Duration.ofSeconds(10));
  }

  /** Returns what it printed, for failure messages. */
  public String output() {
    return process.stdout() + process.stderr();
  }

  @Override
  public void close() {
    process.close();
  }
}
