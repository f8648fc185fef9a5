package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code protochain listen} and {@code connect} over {@code [websocket, tcp4]}, installed from the
 * command line: the listen end is the WebSocket server, the connect end its client, each sends its
 * standard input and half-closes with a close frame, on 127.0.0.1.
 */
@Timeout(60)
class WebSocketCliTest {

  @TempDir Path home;

  final ExecutorService pool = Executors.newCachedThreadPool();

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
  void listenAndConnectCarryBytesBothWaysOverWebSocket() throws Exception {
    Cli cli = new Cli(home);
    assertEquals(
        "installed layer 'websocket' (path=/tunnel) as entry 2001 and chain 3001 'websocket-tcp4'"
            + " (before 1001 'tcp4')\n"
            + "wrote generation 2 of HOME/catalog.json; the backup (catalog.json.bak) holds"
            + " generation 1\n",
        cli.generic(
            cli.ok(
                "catalog",
                "install",
                "--layer",
                "websocket",
                "--over",
                "tcp4",
                "--set",
                "path=/tunnel")));
    byte[] greeting = random(300_000, 1);
    byte[] request = random(700_000, 2);
    Cli.Listening listening =
        cli.listen(
            pool,
            greeting,
            Pattern.compile(
                "protochain listen: listening on 127\\.0\\.0\\.1 port (\\d+) over 3001"
                    + " 'websocket-tcp4' \\(chain websocket > tcp4\\)"),
            "listen",
            "--bind",
            "127.0.0.1",
            "0");
    LineSink err = listening.err();
    int port = listening.port();

    Cli.Run connect = cli.run(request, "connect", "127.0.0.1", Integer.toString(port));

    assertEquals(0, connect.code(), connect.toString());
    assertEquals(0, listening.exit().get(30, TimeUnit.SECONDS), err.all());
    assertArrayEquals(greeting, connect.out());
    assertArrayEquals(request, listening.out().toByteArray());
    assertEquals(
        "protochain connect: connected to 127.0.0.1 port "
            + port
            + " over 3001 'websocket-tcp4' (chain websocket > tcp4)\n"
            + "protochain connect: sent 700000 bytes and received 300000; the connection is closed\n",
        connect.err());
    assertTrue(
        err.next(5).startsWith("protochain listen: accepted a connection from 127.0.0.1 port "),
        err.all());
    assertEquals(
        "protochain listen: sent 300000 bytes and received 700000; the connection is closed",
        err.next(5));
  }
}
