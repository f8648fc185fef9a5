package dev.protochain.layers.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import dev.protochain.layers.Stock;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.testing.ExternalProcess;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code websocket} layer against an implementation no one here wrote, Debian's {@code
 * python3-websockets}, on 127.0.0.1: a [websocket, tcp4] client against its echo server (which
 * pings every 50 ms), a mebibyte both ways and 64-byte round trips; and its client against our
 * server side, with fragments, a ping, text and its close. Each test prints its figures.
 */
@Timeout(60)
class WebSocketInteropTest {

  @TempDir Path dir;

  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  static ChainRuntime runtime() throws IOException {
    return Stock.runtime(Stock.catalog(WebSocketLayer.class, Map.of("path", "/tunnel"), "tcp4"));
  }

  /** Opens a socket of {@code session} connected to 127.0.0.1:{@code port}, receives bounded. */
  static ChainSocket connected(Session session, int port) throws IOException {
    ChainSocket socket = session.open();
    try {
      socket.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(20));
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  @Test
  void aMebibyteCrossesThePythonEchoServerBothWaysIntact() throws Exception {
    try (PythonWebSockets.Server server = PythonWebSockets.echoServer(dir);
        ChainRuntime runtime = runtime();
        Session session = runtime.startup("websocket-tcp4");
        ChainSocket socket = connected(session, server.port())) {
      byte[] payload = new byte[1 << 20];
      new Random(17).nextBytes(payload);
      long start = System.nanoTime();
      Future<?> sending =
          pool.submit(
              () -> {
                socket.sendFully(ByteBuffer.wrap(payload));
                return null;
              });
      ByteBuffer back = ByteBuffer.allocate(payload.length);
      assertTrue(socket.receiveFully(back), "the echo ended after " + back.position() + " bytes");
      sending.get(30, TimeUnit.SECONDS);
      double ms = (System.nanoTime() - start) / 1e6;
      assertArrayEquals(payload, back.array(), server.process().stderr());
      socket.shutdownOutput(); // our close frame; the server answers with its own
      assertEquals(-1, socket.receive(ByteBuffer.allocate(1)), server.process().stderr());
      System.out.printf(
          Locale.ROOT,
          "websocket client -> python websockets echo server: 1 MiB both ways in %.1f ms%n",
          ms);
    }
  }

  @Test
  void sixtyFourBytesMakeTheRoundTripThroughThePythonEchoServer() throws Exception {
    try (PythonWebSockets.Server server = PythonWebSockets.echoServer(dir);
        ChainRuntime runtime = runtime();
        Session session = runtime.startup("websocket-tcp4");
        ChainSocket socket = connected(session, server.port())) {
      byte[] small = new byte[64];
      Random random = new Random(64);
      long[] nanos = new long[200];
      for (int i = 0; i < nanos.length; i++) {
        random.nextBytes(small);
        long t = System.nanoTime();
        socket.sendFully(ByteBuffer.wrap(small));
        ByteBuffer back = ByteBuffer.allocate(64);
        assertTrue(socket.receiveFully(back));
        nanos[i] = System.nanoTime() - t;
        assertArrayEquals(small, back.array());
      }
      socket.shutdownOutput();
      assertEquals(-1, socket.receive(ByteBuffer.allocate(1)));
      Arrays.sort(nanos);
      System.out.printf(
          Locale.ROOT,
          "websocket client -> python websockets echo server: 64 B round trip median %.3f ms,"
              + " p90 %.3f ms (200 trips)%n",
          nanos[100] / 1e6,
          nanos[180] / 1e6);
    }
  }

  @Test
  void thePythonClientIsServedByOurServerSide() throws Exception {
    try (ChainRuntime runtime = runtime();
        Session session = runtime.startup("websocket-tcp4");
        ChainSocket listener = Stock.listener(session)) {
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      Future<Long> serving =
          pool.submit(
              () -> {
                try (ChainSocket s = listener.accept()) {
                  s.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(20));
                  long n = 0;
                  ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                  for (int r; (r = s.receive(buf.clear())) >= 0; ) {
                    n += r;
                    s.sendFully(buf.flip());
                  }
                  return n; // the client's close frame ended the input; the close answers it
                }
              });
      try (ExternalProcess client =
          PythonWebSockets.start(
              dir, "ws-client", PythonWebSockets.CLIENT, "ws://127.0.0.1:" + port + "/tunnel")) {
        int status = client.exitStatus(Duration.ofSeconds(45));
        String out = client.stdout();
        assertEquals(0, status, out + client.stderr());
        assertEquals(100 * 64 + (1 << 20) + 8, serving.get(10, TimeUnit.SECONDS));
        assertTrue(out.startsWith("OK "), out);
        assertTrue(out.contains("\nCLOSE 1000 ''\n"), out); // our close frame echoes the status
        System.out.print("python websockets client -> websocket server: " + out);
      }
    }
  }

  @Test
  void aPythonClientAskingForAnotherPathGets404AndOurAcceptSaysWhy() throws Exception {
    try (ChainRuntime runtime = runtime();
        Session session = runtime.startup("websocket-tcp4");
        ChainSocket listener = Stock.listener(session)) {
      int port = ((InetSocketAddress) listener.localAddress()).getPort();
      try (ExternalProcess client =
          PythonWebSockets.start(
              dir,
              "ws-wrong-path",
              "import asyncio, websockets\n"
                  + "async def main():\n"
                  + "    try:\n"
                  + "        await websockets.connect('ws://127.0.0.1:"
                  + port
                  + "/elsewhere')\n"
                  + "    except websockets.exceptions.InvalidStatusCode as e:\n"
                  + "        print('STATUS', e.status_code)\n"
                  + "asyncio.run(main())\n")) {
        Future<String> refused =
            pool.submit(
                () -> {
                  try {
                    listener.accept().close();
                    return "accepted";
                  } catch (IOException e) {
                    return e.getMessage();
                  }
                });
        assertEquals(0, client.exitStatus(Duration.ofSeconds(30)), client.stderr());
        assertEquals("STATUS 404\n", client.stdout());
        String message = refused.get(10, TimeUnit.SECONDS);
        assertTrue(
            message.contains(
                "failed at the upgrade request: the client asked for '/elsewhere' (this server"
                    + " serves '/tunnel'); answered 404 Not Found; the peer sent"),
            message);
      }
    }
  }

  @Test
  void aPeerThatEndsWithoutACloseFrameIsAnAbnormalClosure() throws Exception {
    try (PythonWebSockets.Server server = PythonWebSockets.echoServer(dir);
        ChainRuntime runtime = runtime();
        Session session = runtime.startup("websocket-tcp4");
        ChainSocket socket = connected(session, server.port())) {
      socket.sendFully(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      assertTrue(socket.receiveFully(ByteBuffer.allocate(3)));
      server.process().kill(); // the kernel ends the connection: no close frame
      EOFException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              EOFException.class, () -> socket.receive(ByteBuffer.allocate(1)));
      assertEquals(
          "layer 'websocket' (entry 2001): /127.0.0.1:"
              + server.port()
              + " ended the connection without a close frame (status 1006 abnormal closure)",
          e.getMessage());
    }
  }
}
