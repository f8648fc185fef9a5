package dev.protochain.runtime.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.layers.trace.TraceLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** java.net sockets over chains, against each other and against plain platform sockets. */
@Timeout(60)
class BridgeSocketTest {

  ChainRuntime runtime;
  final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void start() throws IOException {
    ProviderDescriptor coalesce = ProviderDescriptor.of(CoalesceLayer.class);
    ProviderDescriptor trace = ProviderDescriptor.of(TraceLayer.class);
    Catalog c =
        Catalog.builtin().installLayer("coalesce", coalesce.id(), Map.of(), List.of(1001, 1002));
    c =
        c.installLayer(
            "trace",
            trace.id(),
            Map.of(),
            List.of(
                c.entry("coalesce-tcp4").orElseThrow().id(),
                c.entry("coalesce-tcp6").orElseThrow().id()));
    runtime = ChainRuntime.builder().catalog(c.checkValid("test")).shutdownHook(false).build();
  }

  @AfterEach
  void stop() throws IOException {
    pool.shutdownNow();
    runtime.close();
  }

  @Test
  void aClientAndAServerOverTheChainEchoThroughTheirStreams() throws Exception {
    ChainServerSocketFactory servers =
        ChainServerSocketFactory.forEntry(runtime, "trace-coalesce-tcp4");
    ChainSocketFactory clients = ChainSocketFactory.forEntry(runtime, "trace-coalesce-tcp4");
    try (ServerSocket server = servers.createServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      assertEquals(1, runtime.count(2002), "the server socket holds one startup");
      Future<?> echo = pool.submit(() -> echoOnce(server));
      byte[] payload = random(3 << 20);
      try (Socket socket =
          clients.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        awaitCount(2002, 3); // the accepted socket's startup runs on the echo thread
        assertEquals(3, runtime.count(2002), "server socket, accepted socket and client socket");
        assertTrue(socket.isConnected());
        assertEquals(server.getLocalPort(), socket.getPort());
        Future<?> writing =
            pool.submit(
                () -> {
                  OutputStream out = socket.getOutputStream();
                  out.write(payload);
                  out.flush();
                  socket.shutdownOutput();
                  return null;
                });
        byte[] back = socket.getInputStream().readAllBytes();
        writing.get(30, TimeUnit.SECONDS);
        assertArrayEquals(payload, back);
        assertTrue(socket.isOutputShutdown());
      }
      echo.get(30, TimeUnit.SECONDS);
      assertEquals(1, runtime.count(2002), "closing a socket is its cleanup");
    }
    assertEquals(0, runtime.count(2002));
    assertEquals(0, runtime.count(1001));
  }

  @Test
  void aBridgeClientTalksToAPlainPlatformServer() throws Exception {
    try (ServerSocket plain = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Future<?> echo = pool.submit(() -> echoOnce(plain));
      try (Socket socket =
          ChainSocketFactory.forEntry(runtime, "trace-coalesce-tcp4").createSocket()) {
        socket.setSoTimeout(5_000);
        socket.setTcpNoDelay(true);
        socket.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), plain.getLocalPort()), 5_000);
        assertTrue(socket.getTcpNoDelay());
        socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        byte[] pong = new byte[4];
        new DataInputStream(socket.getInputStream()).readFully(pong);
        assertEquals("ping", new String(pong, StandardCharsets.US_ASCII));
      }
      echo.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void soTimeoutBoundsAReadAndTheSocketStaysUsable() throws Exception {
    try (ServerSocket plain = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Socket socket =
            ChainSocketFactory.forEntry(runtime, "trace-coalesce-tcp4")
                .createSocket(InetAddress.getLoopbackAddress(), plain.getLocalPort());
        Socket peer = plain.accept()) {
      socket.setSoTimeout(200);
      assertEquals(200, socket.getSoTimeout());
      InputStream in = socket.getInputStream();
      assertThrows(SocketTimeoutException.class, in::read);
      peer.getOutputStream().write(42);
      assertEquals(42, in.read());
    }
  }

  @Test
  void selectionFollowsTheFamilyOfTheAddress() throws Exception {
    ChainServerSocketFactory servers = ChainServerSocketFactory.forSelection(runtime);
    try (ServerSocket server = servers.createServerSocket(0, 5, InetAddress.getByName("::1"))) {
      Future<?> echo = pool.submit(() -> echoOnce(server));
      try (Socket socket =
          ChainSocketFactory.forSelection(runtime).createSocket("::1", server.getLocalPort())) {
        int tcp6Chain = runtime.catalog().entry("trace-coalesce-tcp6").orElseThrow().chain().get(0);
        awaitCount(tcp6Chain, 3); // server socket, accepted socket, client socket
        assertEquals(3, runtime.count(tcp6Chain));
        assertEquals(0, runtime.count(1001));
        socket.shutdownOutput();
        assertEquals(-1, socket.getInputStream().read());
      }
      echo.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void closingTheServerSocketLeavesAcceptedConnectionsWorking() throws Exception {
    ServerSocket server =
        ChainServerSocketFactory.forEntry(runtime, "trace-coalesce-tcp4")
            .createServerSocket(0, 5, InetAddress.getLoopbackAddress());
    try (Socket client =
            ChainSocketFactory.forEntry(runtime, "trace-coalesce-tcp4")
                .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      server.close();
      assertTrue(server.isClosed());
      assertThrows(SocketException.class, server::accept);
      client.getOutputStream().write(7);
      client.getOutputStream().flush();
      assertEquals(7, accepted.getInputStream().read());
    }
    assertEquals(0, runtime.count(1001));
  }

  @Test
  void manyThreadsShareOneFactory() throws Exception {
    ChainSocketFactory clients = ChainSocketFactory.forEntry(runtime, "trace-coalesce-tcp4");
    try (ServerSocket server =
        ChainServerSocketFactory.forEntry(runtime, "trace-coalesce-tcp4")
            .createServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
      Future<?> accepting =
          pool.submit(
              () -> {
                for (int i = 0; i < 32; i++) {
                  Socket s = server.accept();
                  var unused = // each echo's failure shows as the client's wrong answer
                      pool.submit(
                          () -> {
                            try (s) {
                              s.getInputStream().transferTo(s.getOutputStream());
                              s.shutdownOutput();
                            }
                            return null;
                          });
                }
                return null;
              });
      List<Future<byte[]>> results = new ArrayList<>();
      List<byte[]> sent = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        byte[] payload = random(10_000 + i);
        sent.add(payload);
        results.add(
            pool.submit(
                () -> {
                  try (Socket s =
                      clients.createSocket(
                          InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    s.getOutputStream().write(payload);
                    s.shutdownOutput();
                    return s.getInputStream().readAllBytes();
                  }
                }));
      }
      for (int i = 0; i < 32; i++) {
        assertArrayEquals(sent.get(i), results.get(i).get(30, TimeUnit.SECONDS));
      }
      accepting.get(30, TimeUnit.SECONDS);
    }
    for (int i = 0; i < 100 && runtime.count(1001) != 0; i++) {
      Thread.sleep(20); // the echo threads close their sockets just after the clients read
    }
    assertEquals(0, runtime.count(1001));
  }

  @Test
  void anUnsupportedOptionIsASocketExceptionNamingTheTarget() throws Exception {
    try (Socket socket = ChainSocketFactory.forEntry(runtime, "mem-stream").createSocket()) {
      socket.bind(null);
      SocketException e = assertThrows(SocketException.class, () -> socket.setTcpNoDelay(true));
      assertTrue(
          e.getMessage().startsWith("TCP_NODELAY is not supported by entry 'mem-stream': "),
          e.getMessage());
      assertFalse(socket.isConnected());
    }
  }

  void awaitCount(int entry, int count) throws InterruptedException {
    for (int i = 0; i < 250 && runtime.count(entry) != count; i++) {
      Thread.sleep(20);
    }
  }

  static Void echoOnce(ServerSocket server) throws IOException {
    try (Socket s = server.accept()) {
      s.getInputStream().transferTo(s.getOutputStream());
      s.shutdownOutput();
    }
    return null;
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }
}
