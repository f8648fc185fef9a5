package dev.protochain.base;

import static dev.protochain.base.StreamSocketTest.ascii;
import static dev.protochain.base.StreamSocketTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.ProtochainException;
import dev.protochain.base.LoadedProvider.Connection;
import dev.protochain.base.internal.InMemoryDatagramSocket;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only the in-memory provider does: bounded pipes, its own port world, its backlog. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class InMemoryProviderTest {

  private static LoadedProvider stream(Map<String, String> settings) throws IOException {
    return StreamTransport.MEMORY.load(settings);
  }

  private static InetSocketAddress at(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  /* ---- partial writes ---- */

  @Test
  void sendIsPartialWithATinyBufferAndBlocksWhileFull() throws Exception {
    try (LoadedProvider p = stream(Map.of(InMemoryProvider.BUFFER_SIZE, "16"))) {
      Connection c = p.connect(p.listen());
      ByteBuffer src = ascii("0123456789abcdefghijklmnopqrstuvwxyz");
      assertEquals(16, c.client.send(src), "at most the free space");
      assertEquals(16, src.position());

      Blocking<Integer> blocked = Blocking.start("send", () -> c.client.send(src));
      blocked.assertStillBlocked();
      ByteBuffer first = ByteBuffer.allocate(10);
      assertEquals(10, c.server.receive(first));
      assertEquals("0123456789", text(first));
      int n = blocked.value();
      assertTrue(
          n >= 1 && n <= 10,
          "a blocked send takes at least 1 byte and at most the space freed: " + n);

      ByteBuffer rest = ByteBuffer.allocate(64);
      c.server.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(200));
      while (rest.position() < 6 + n) {
        c.server.receive(rest);
      }
      assertEquals("abcdefghijklmnopqrstuvwxyz".substring(0, 6 + n), text(rest));
    }
  }

  @Test
  void receiveBufferOptionResizesTheInboundPipe() throws Exception {
    try (LoadedProvider p = stream(Map.of(InMemoryProvider.BUFFER_SIZE, "8"))) {
      Connection c = p.connect(p.listen());
      c.server.setOption(StandardSocketOptions.SO_RCVBUF, 20);
      assertEquals(20, c.server.getOption(StandardSocketOptions.SO_RCVBUF));
      assertEquals(
          20, c.client.send(ascii("0123456789abcdefghijklmnop")), "the server's buffer grew");
      assertEquals(8, c.client.getOption(StandardSocketOptions.SO_RCVBUF), "the client's did not");
    }
  }

  @Test
  void unloadAbortsASendBlockedOnAFullPipe() throws Exception {
    LoadedProvider p = stream(Map.of(InMemoryProvider.BUFFER_SIZE, "4"));
    Connection c = p.connect(p.listen());
    c.client.sendFully(ascii("full"));
    Blocking<Integer> blocked = Blocking.start("send", () -> c.client.send(ascii("more")));
    p.close();
    ProtochainException e = assertInstanceOf(ProtochainException.class, blocked.failure());
    assertEquals(ProtochainException.Code.OPERATION_ABORTED, e.code());
    assertEquals(
        "send aborted: provider 'memory' for entry 1005 'mem-stream' was unloaded ("
            + c.client
            + ")",
        e.getMessage());
  }

  @Test
  void aBadBufferSizeFailsTheLoadNamingTheEntry() {
    IOException e =
        assertThrows(IOException.class, () -> stream(Map.of(InMemoryProvider.BUFFER_SIZE, "0")));
    assertEquals(
        "provider 'memory' cannot load entry 1005 'mem-stream' (base): setting 'buffer-size'"
            + " of entry 1005 'mem-stream' (base) = 0 is out of range (expected: 1 to 2147483647)",
        e.getMessage());
  }

  /* ---- worlds and ports ---- */

  @Test
  void twoInstancesAreIndependentWorlds() throws Exception {
    try (LoadedProvider a = stream(Map.of());
        LoadedProvider b = stream(Map.of())) {
      ChainSocket listenerA = a.open();
      listenerA.bind(at(7000));
      listenerA.listen(0);
      ConnectException e = assertThrows(ConnectException.class, () -> b.open().connect(at(7000)));
      assertEquals("Connection refused: memory port 7000", e.getMessage());

      ChainSocket listenerB = b.open();
      listenerB.bind(at(7000));
      listenerB.listen(0);
      Connection inA = a.connect(listenerA);
      Connection inB = b.connect(listenerB);
      inA.client.sendFully(ascii("A"));
      inB.client.sendFully(ascii("B"));
      ByteBuffer buf = ByteBuffer.allocate(1);
      inA.server.receive(buf);
      assertEquals("A", text(buf));
      buf.clear();
      inB.server.receive(buf);
      assertEquals("B", text(buf));
    }
  }

  @Test
  void ephemeralPortsStartAt49152AndSkipPortsInUse() throws Exception {
    try (LoadedProvider p = stream(Map.of())) {
      ChainSocket taken = p.open();
      taken.bind(at(49153));
      ChainSocket first = p.open();
      first.bind(null);
      ChainSocket second = p.open();
      second.bind(at(0));
      assertEquals(at(49152), first.localAddress());
      assertEquals(at(49154), second.localAddress(), "49153 is in use");
      BindException e = assertThrows(BindException.class, () -> p.open().bind(at(49153)));
      assertEquals("Address already in use: memory port 49153", e.getMessage());
      taken.close();
      p.open().bind(at(49153)); // freed by close
    }
  }

  @Test
  void connectBindsAnEphemeralPortAndTheServerSideSharesTheListenersPort() throws Exception {
    try (LoadedProvider p = stream(Map.of())) {
      ChainSocket listener = p.open();
      listener.bind(at(80));
      listener.listen(0);
      Connection c = p.connect(listener);
      assertEquals(at(80), c.server.localAddress());
      assertEquals(at(80), c.client.remoteAddress());
      assertEquals(c.client.localAddress(), c.server.remoteAddress());
      assertNotEquals(80, LoadedProvider.port(c.client));
    }
  }

  /* ---- backlog ---- */

  @Test
  void connectToAFullBacklogBlocksUntilTheTimeout() throws Exception {
    try (LoadedProvider p = stream(Map.of())) {
      ChainSocket listener = p.open();
      listener.listen(1);
      InetSocketAddress address = (InetSocketAddress) listener.localAddress();
      p.open().connect(address);
      ChainSocket late = p.open();
      SocketTimeoutException e =
          assertThrows(
              SocketTimeoutException.class, () -> late.connect(address, Duration.ofMillis(100)));
      assertEquals(
          "Connect timed out after 100 ms: memory port "
              + address.getPort()
              + " has a full backlog of 1",
          e.getMessage());

      Blocking<Void> waiting =
          Blocking.start(
              "connect",
              () -> {
                late.connect(address);
                return null;
              });
      waiting.assertStillBlocked();
      listener.accept();
      waiting.value();
      assertEquals(address, late.remoteAddress(), "connected once the backlog had room");
    }
  }

  @Test
  void closingAListenerResetsConnectionsNotYetAccepted() throws Exception {
    try (LoadedProvider p = stream(Map.of())) {
      ChainSocket listener = p.listen();
      ChainSocket client = p.open();
      client.connect(listener.localAddress());
      listener.close();
      SocketException e =
          assertThrows(SocketException.class, () -> client.receive(ByteBuffer.allocate(1)));
      assertEquals("Connection reset", e.getMessage());
    }
  }

  @Test
  void lingerZeroMakesThePeersSendFailWithAReset() throws Exception {
    try (LoadedProvider p = stream(Map.of())) {
      Connection c = p.connect(p.listen());
      c.client.setOption(StandardSocketOptions.SO_LINGER, 0);
      c.client.close();
      SocketException e = assertThrows(SocketException.class, () -> c.server.send(ascii("x")));
      assertEquals("Connection reset", e.getMessage());
    }
  }

  @Test
  void sendingToAPeerThatClosedFailsWithBrokenPipe() throws Exception {
    try (LoadedProvider p = stream(Map.of())) {
      Connection c = p.connect(p.listen());
      c.client.close();
      SocketException e = assertThrows(SocketException.class, () -> c.server.send(ascii("x")));
      assertEquals("Broken pipe", e.getMessage());
    }
  }

  @Test
  void lingerAboveZeroClosesAtOnceAndThePeerStillReadsWhatRemains() throws Exception {
    try (LoadedProvider p = stream(Map.of())) {
      Connection c = p.connect(p.listen());
      c.client.setOption(StandardSocketOptions.SO_LINGER, 5);
      c.client.sendFully(ascii("pending"));
      long start = System.nanoTime();
      c.client.close();
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "close did not wait");
      ByteBuffer buf = ByteBuffer.allocate(16);
      assertFalse(c.server.receiveFully(buf), "the stream ends after what remains");
      assertEquals("pending", text(buf));
    }
  }

  /* ---- datagrams ---- */

  @Test
  void datagramsToAPortNobodyIsBoundToAreDroppedSilently() throws Exception {
    try (LoadedProvider p = DatagramTransport.MEMORY.load()) {
      ChainSocket a = p.open();
      assertEquals(4, a.sendTo(ascii("lost"), at(4000)), "the length is reported");
      ChainSocket late = p.open();
      late.bind(at(4000));
      late.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(50));
      assertThrows(
          SocketTimeoutException.class,
          () -> late.receive(ByteBuffer.allocate(8)),
          "nothing was kept for a later bind");
    }
  }

  @Test
  void aFullDatagramQueueDropsWhatDoesNotFit() throws Exception {
    try (LoadedProvider p = DatagramTransport.MEMORY.load()) {
      ChainSocket a = p.open();
      ChainSocket b = p.open();
      b.bind(at(5000));
      for (int i = 0; i < InMemoryDatagramSocket.QUEUE_LIMIT + 10; i++) {
        a.sendTo(ByteBuffer.allocate(1), at(5000));
      }
      b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(50));
      int received = 0;
      try {
        while (true) {
          b.receive(ByteBuffer.allocate(1));
          received++;
        }
      } catch (SocketTimeoutException expected) {
        // the queue is empty
      }
      assertEquals(InMemoryDatagramSocket.QUEUE_LIMIT, received);
    }
  }

  @Test
  void aDatagramLargerThanTheReceiveBufferIsDropped() throws Exception {
    try (LoadedProvider p = DatagramTransport.MEMORY.load()) {
      ChainSocket a = p.open();
      ChainSocket b = p.open();
      b.bind(at(5001));
      b.setOption(StandardSocketOptions.SO_RCVBUF, 8);
      a.sendTo(ByteBuffer.allocate(9), at(5001));
      a.sendTo(ByteBuffer.allocate(8), at(5001));
      b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(1));
      assertEquals(8, b.receive(ByteBuffer.allocate(64)), "only the one that fits");
    }
  }

  @Test
  void aDatagramLongerThanTheMaximumIsRefused() throws Exception {
    try (LoadedProvider p = DatagramTransport.MEMORY.load()) {
      ChainSocket a = p.open();
      SocketException e =
          assertThrows(
              SocketException.class,
              () -> a.sendTo(ByteBuffer.allocate(InMemoryDatagramSocket.MAX_DATAGRAM + 1), at(1)));
      assertTrue(
          e.getMessage().startsWith("Message too long: 65536 bytes (expected: at most 65535)"),
          e.getMessage());
    }
  }

  @Test
  void twoInstancesDoNotExchangeDatagrams() throws Exception {
    try (LoadedProvider a = DatagramTransport.MEMORY.load();
        LoadedProvider b = DatagramTransport.MEMORY.load()) {
      ChainSocket inA = a.open();
      inA.bind(at(6000));
      ChainSocket inB = b.open();
      inB.bind(at(6000));
      b.open().sendTo(ascii("for B"), at(6000));
      inA.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(50));
      assertThrows(SocketTimeoutException.class, () -> inA.receive(ByteBuffer.allocate(8)));
      inB.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(1));
      ByteBuffer buf = ByteBuffer.allocate(8);
      inB.receive(buf);
      assertEquals("for B", text(buf));
    }
  }
}
