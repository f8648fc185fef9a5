package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code connect} and {@code listen} against plain {@link java.net.Socket} peers, in this JVM, on
 * 127.0.0.1.
 */
@Timeout(60)
class NetcatTest {

  @TempDir Path home;

  Cli cli;
  ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void chainOfTwoLayers() {
    cli = new Cli(home);
    cli.ok("catalog", "install", "--layer", "coalesce", "--over", "tcp4", "--set", "delay=0");
    cli.ok("catalog", "install", "--layer", "trace", "--over", "coalesce-tcp4");
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void connectCarriesBytesBothWaysToAPlainServerOverTheSelectedChain() throws Exception {
    byte[] request = random(300_000, 1);
    byte[] reply = random(200_000, 2);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<byte[]> received =
          pool.submit(
              () -> {
                try (Socket s = server.accept()) {
                  byte[] got = s.getInputStream().readAllBytes(); // until the client half-closes
                  s.getOutputStream().write(reply);
                  return got;
                }
              });

      Cli.Run run =
          cli.run(request, "connect", "127.0.0.1", Integer.toString(server.getLocalPort()));

      assertEquals(0, run.code(), run.err());
      assertArrayEquals(request, received.get(30, TimeUnit.SECONDS));
      assertArrayEquals(reply, run.out());
      assertEquals(
          "protochain connect: connected to 127.0.0.1 port "
              + server.getLocalPort()
              + " over 3002"
              + " 'trace-coalesce-tcp4' (chain trace > coalesce > tcp4)\n"
              + "protochain connect: sent 300000 bytes and received 200000; the connection is closed\n",
          run.err());
    }
  }

  @Test
  void connectInSafeModeUsesTheBaseAndByEntryTheEntryNamed() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
      String port = Integer.toString(server.getLocalPort());
      var unused = // a failed echo shows as the commands' wrong output
          pool.submit(
              () -> {
                for (int i = 0; i < 2; i++) {
                  try (Socket s = server.accept()) {
                    s.getOutputStream().write(s.getInputStream().readAllBytes());
                  }
                }
                return null;
              });

      Cli.Run safe =
          cli.run(
              "ping".getBytes(StandardCharsets.UTF_8), "connect", "--safe-mode", "127.0.0.1", port);
      Cli.Run named =
          cli.run(
              "pong".getBytes(StandardCharsets.UTF_8),
              "connect",
              "--entry",
              "coalesce-tcp4",
              "127.0.0.1",
              port);

      assertEquals("ping", safe.stdout());
      assertEquals(
          "protochain connect: connected to 127.0.0.1 port "
              + port
              + " over 1001 'tcp4' (base) in safe"
              + " mode",
          safe.err().lines().findFirst().orElseThrow());
      assertEquals("pong", named.stdout());
      assertEquals(
          "protochain connect: connected to 127.0.0.1 port "
              + port
              + " over 3001 'coalesce-tcp4' (chain"
              + " coalesce > tcp4)",
          named.err().lines().findFirst().orElseThrow());
    }
  }

  @Test
  void listenAcceptsOneConnectionFromAPlainClientAndCarriesBytesBothWays() throws Exception {
    byte[] greeting = random(150_000, 3);
    byte[] request = random(250_000, 4);
    Cli.Listening listening =
        cli.listen(
            pool,
            greeting,
            Pattern.compile(
                "protochain listen: listening on 127\\.0\\.0\\.1 port (\\d+) over 3002"
                    + " 'trace-coalesce-tcp4' \\(chain trace > coalesce > tcp4\\)"),
            "listen",
            "--bind",
            "127.0.0.1",
            "0");
    LineSink err = listening.err();
    int port = listening.port();
    byte[] got;
    try (Socket client = new Socket()) {
      client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      Future<byte[]> reading = pool.submit(() -> client.getInputStream().readAllBytes());
      client.getOutputStream().write(request);
      client.shutdownOutput();
      got = reading.get(30, TimeUnit.SECONDS);
      assertEquals(
          "protochain listen: accepted a connection from 127.0.0.1 port " + client.getLocalPort(),
          err.next(30));
    }

    assertEquals(0, listening.exit().get(30, TimeUnit.SECONDS), err.all());
    assertArrayEquals(greeting, got);
    assertArrayEquals(request, listening.out().toByteArray());
    assertEquals(
        "protochain listen: sent 150000 bytes and received 250000; the connection is closed",
        err.next(5));
  }

  @Test
  void listenWithoutBindListensOnLoopbackOnlyAndSaysSo() throws Exception {
    Cli.Listening listening =
        cli.listen(
            pool,
            new byte[0],
            Pattern.compile(
                "protochain listen: listening on 127\\.0\\.0\\.1 port (\\d+) over 3002"
                    + " 'trace-coalesce-tcp4' \\(chain trace > coalesce > tcp4\\); loopback only,"
                    + " --bind ADDRESS listens on another \\(0\\.0\\.0\\.0 for every IPv4 address\\)"),
            "listen",
            "0");
    LineSink err = listening.err();
    try (Socket client = new Socket()) {
      client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listening.port()));
      client.shutdownOutput();
      client.getInputStream().readAllBytes();
    }
    assertEquals(0, listening.exit().get(30, TimeUnit.SECONDS), err.all());
  }

  @Test
  void aPeerThatEndsFirstStillGetsTheWholeInput() throws Exception {
    byte[] request = random(2_000_000, 5);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<byte[]> received =
          pool.submit(
              () -> {
                try (Socket s = server.accept()) {
                  s.shutdownOutput(); // ends its side at once, then reads everything
                  return s.getInputStream().readAllBytes();
                }
              });
      InputStream slowInput =
          new InputStream() {
            private final InputStream in = new ByteArrayInputStream(request);

            @Override
            public int read() throws java.io.IOException {
              return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
              try {
                Thread.sleep(1);
              } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
              }
              return in.read(b, off, Math.min(len, 50_000));
            }
          };

      Cli.Run run =
          cli.run(slowInput, "connect", "127.0.0.1", Integer.toString(server.getLocalPort()));

      assertEquals(0, run.code(), run.err());
      assertArrayEquals(request, received.get(30, TimeUnit.SECONDS));
      assertEquals(0, run.out().length);
    }
  }

  @Test
  void connectRefusesADatagramEntry() {
    Cli.Run run = cli.run("connect", "--entry", "udp4", "127.0.0.1", "9");
    assertEquals(1, run.code(), run.toString());
    assertEquals(
        "protochain connect: 1003 'udp4' serves INET/DATAGRAM/UDP; netcat needs a stream entry over INET"
            + " or INET6\n",
        run.err());
  }

  @Test
  void aRefusedConnectionIsAnIoError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Cli.Run run = cli.run("connect", "127.0.0.1", Integer.toString(port));
    assertEquals(3, run.code(), run.toString());
    assertEquals(
        "protochain connect: Connection refused: 127.0.0.1:"
            + port
            + " (provider 'tcp' for entry 1001"
            + " 'tcp4')\n",
        run.err());
  }

  @Test
  void aPortOutOfRangeIsAUsageError() {
    Cli.Run run = cli.run("connect", "127.0.0.1", "70000");
    assertEquals(2, run.code(), run.toString());
    assertEquals(
        "protochain connect: Invalid value for positional parameter at index 1 (PORT): '70000' is not"
            + " a port (expected: 1 to 65535) (see 'protochain connect --help')\n",
        run.err());
  }
}
