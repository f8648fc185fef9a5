package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.layers.trace.TraceLayer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bytes over real chains: the stock trace and coalesce layers over the TCP, UDP and in-memory base
 * providers, echoed and compared by SHA-256; and the graceful-close guarantee of a final cleanup.
 */
@Timeout(120)
class ChainDataPathTest {

  static final int MIB = 1 << 20;

  final ExecutorService pool = Executors.newCachedThreadPool();
  final List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  /** The built-in catalog with coalesce over every stream base and trace over everything. */
  static Catalog stockCatalog(Map<String, String> coalesceSettings) throws IOException {
    ProviderDescriptor coalesce = ProviderDescriptor.of(CoalesceLayer.class);
    ProviderDescriptor trace = ProviderDescriptor.of(TraceLayer.class);
    Catalog c =
        Catalog.builtin()
            .installLayer("coalesce", coalesce.id(), coalesceSettings, List.of(1001, 1002, 1005));
    List<Integer> over = new ArrayList<>();
    for (String name :
        List.of(
            "coalesce-tcp4", "coalesce-tcp6", "coalesce-mem-stream", "udp4", "udp6", "mem-dgram")) {
      over.add(c.entry(name).orElseThrow().id());
    }
    return c.installLayer("trace", trace.id(), Map.of(), over).checkValid("test catalog");
  }

  ChainRuntime runtime(Catalog catalog) throws IOException {
    return ChainRuntime.builder()
        .name("data-test")
        .catalog(catalog)
        .shutdownHook(false)
        .listener(events::add)
        .build();
  }

  /* ---- streams ---- */

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"trace-coalesce-tcp4", "trace-coalesce-tcp6", "trace-coalesce-mem-stream"})
  void sixteenMebibytesEchoIntactOverAStreamChain(String chain) throws Exception {
    try (ChainRuntime runtime = runtime(stockCatalog(Map.of()))) {
      String host = chain.endsWith("tcp6") ? "::1" : "127.0.0.1";
      byte[] payload = random(16 * MIB, 1);
      byte[] echoed = echo(runtime, chain, host, payload);
      assertEquals(payload.length, echoed.length);
      assertArrayEquals(sha256(payload), sha256(echoed));
      assertTrue(
          runtime.counts().values().stream().allMatch(c -> c == 0), runtime.counts().toString());
    }
  }

  byte[] echo(ChainRuntime runtime, String chain, String host, byte[] payload) throws Exception {
    try (Session server = runtime.startup(chain);
        Session client = runtime.startup(chain)) {
      ChainSocket listener = server.open();
      listener.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      listener.listen(1);
      Future<?> echoing =
          pool.submit(
              () -> {
                try (ChainSocket peer = listener.accept()) {
                  ByteBuffer buf =
                      ByteBuffer.allocate(37_000); // odd size: partial reads and writes
                  while (peer.receive(buf.clear()) >= 0) {
                    peer.sendFully(buf.flip());
                  }
                  peer.shutdownOutput();
                }
                return null;
              });
      ByteBuffer back = ByteBuffer.allocate(payload.length);
      try (ChainSocket socket = client.open()) {
        socket.connect(listener.localAddress(), Duration.ofSeconds(10));
        Future<?> sending =
            pool.submit(
                () -> {
                  Random sizes = new Random(7);
                  ByteBuffer src = ByteBuffer.wrap(payload);
                  while (src.hasRemaining()) {
                    ByteBuffer chunk = src.slice();
                    chunk.limit(Math.min(chunk.remaining(), 1 + sizes.nextInt(20_000)));
                    socket.sendFully(chunk);
                    src.position(src.position() + chunk.position());
                  }
                  socket.shutdownOutput();
                  return null;
                });
        while (socket.receive(back) >= 0) {
          if (!back.hasRemaining()) {
            assertEquals(-1, socket.receive(ByteBuffer.allocate(1)));
            break;
          }
        }
        sending.get(60, TimeUnit.SECONDS);
      }
      echoing.get(60, TimeUnit.SECONDS);
      listener.close();
      byte[] out = new byte[back.position()];
      back.flip().get(out);
      return out;
    }
  }

  /* ---- datagrams ---- */

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"trace-udp4", "trace-udp6", "trace-mem-dgram"})
  void datagramsCrossADatagramChainWithTheirBoundaries(String chain) throws Exception {
    try (ChainRuntime runtime = runtime(stockCatalog(Map.of()));
        Session session = runtime.startup(chain);
        ChainSocket receiver = session.open();
        ChainSocket sender = session.open()) {
      InetAddress host = InetAddress.getByName(chain.endsWith("udp6") ? "::1" : "127.0.0.1");
      receiver.bind(new InetSocketAddress(host, 0));
      receiver.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));
      sender.bind(new InetSocketAddress(host, 0));
      for (int i = 0; i < 20; i++) {
        byte[] datagram = random(100 + i * 50, i);
        sender.sendTo(ByteBuffer.wrap(datagram), receiver.localAddress());
        ByteBuffer got = ByteBuffer.allocate(4096);
        InetSocketAddress from = (InetSocketAddress) receiver.receiveFrom(got);
        assertEquals(((InetSocketAddress) sender.localAddress()).getPort(), from.getPort());
        assertArrayEquals(datagram, java.util.Arrays.copyOf(got.array(), got.position()));
      }
    }
  }

  /* ---- graceful and abortive close at the final cleanup ---- */

  @Test
  void theFinalCleanupDeliversWhatAClosedCoalescingSocketStillHolds() throws Exception {
    Catalog catalog =
        stockCatalog(Map.of("threshold", "1048576", "delay", "0", "flush-on-receive", "false"));
    byte[] payload = random(10_000, 3);
    try (ServerSocket peerListener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ChainRuntime runtime = runtime(catalog)) {
      Future<Socket> accepted = pool.submit(() -> peerListener.accept());
      Session session = runtime.startup("coalesce-tcp4");
      ChainSocket socket = session.open();
      socket.connect(peerListener.getLocalSocketAddress());
      socket.sendFully(ByteBuffer.wrap(payload));
      try (Socket peer = accepted.get(10, TimeUnit.SECONDS)) {
        peer.setSoTimeout(300);
        InputStream in = peer.getInputStream();
        assertThrows(SocketTimeoutException.class, in::read, "coalesce must still hold the bytes");

        socket.close();
        assertThrows(
            SocketTimeoutException.class,
            in::read,
            "closing the socket gracefully returns at once");
        assertEquals(1, runtime.count(2001));

        session.close(); // the final cleanup of coalesce: drain, then tcp4

        peer.setSoTimeout(5_000);
        byte[] got = in.readAllBytes();
        assertArrayEquals(payload, got);
      }
      assertEquals(Map.of(1001, 0, 2001, 0), runtime.counts());
      assertTrue(
          events.stream().noneMatch(e -> e.type() == LifecycleEvent.Type.UNDELIVERED),
          events.toString());
    }
  }

  @Test
  void lingerZeroMakesTheCloseAbortiveAndThePeerSeesAReset() throws Exception {
    Catalog catalog =
        stockCatalog(Map.of("threshold", "1048576", "delay", "0", "flush-on-receive", "false"));
    try (ServerSocket peerListener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ChainRuntime runtime = runtime(catalog);
        Session session = runtime.startup("trace-coalesce-tcp4")) {
      Future<Socket> accepted = pool.submit(() -> peerListener.accept());
      ChainSocket socket = session.open();
      socket.connect(peerListener.getLocalSocketAddress());
      socket.sendFully(ByteBuffer.wrap(random(5_000, 4)));
      try (Socket peer = accepted.get(10, TimeUnit.SECONDS)) {
        socket.setOption(StandardSocketOptions.SO_LINGER, 0);
        socket.close();
        peer.setSoTimeout(5_000);
        SocketException e = assertThrows(SocketException.class, () -> peer.getInputStream().read());
        assertEquals("Connection reset", e.getMessage());
      }
    }
  }

  /* ---- operations racing the final cleanup ---- */

  @Test
  void operationsBlockedAtTheFinalCleanupEndOnceWithOperationAborted() throws Exception {
    try (ChainRuntime runtime = runtime(stockCatalog(Map.of()))) {
      Session session = runtime.startup("trace-coalesce-mem-stream");
      ChainSocket listener = session.open();
      listener.bind(null);
      listener.listen(1);
      ChainSocket client = session.open();
      client.connect(listener.localAddress());
      ChainSocket server = listener.accept();
      Future<Object> receiving =
          pool.submit(() -> attempt(() -> server.receive(ByteBuffer.allocate(10))));
      Future<Object> accepting = pool.submit(() -> attempt(listener::accept));
      Thread.sleep(200);

      session.close();

      for (Future<Object> blocked : List.of(receiving, accepting)) {
        Object outcome = blocked.get(10, TimeUnit.SECONDS);
        assertTrue(outcome instanceof ProtochainException, String.valueOf(outcome));
        assertEquals(
            ProtochainException.Code.OPERATION_ABORTED, ((ProtochainException) outcome).code());
      }
      ProtochainException later =
          assertThrows(ProtochainException.class, () -> server.send(ByteBuffer.allocate(1)));
      assertEquals(ProtochainException.Code.OPERATION_ABORTED, later.code());
      assertTrue(later.getMessage().startsWith("send on a socket of entry "), later.getMessage());
      assertEquals(0, runtime.count(1005));
    }
  }

  interface Op {
    Object run() throws Exception;
  }

  static Object attempt(Op op) {
    try {
      return op.run();
    } catch (Exception e) {
      return e;
    }
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
