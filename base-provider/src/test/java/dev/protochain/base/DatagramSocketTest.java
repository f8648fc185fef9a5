package dev.protochain.base;

import static dev.protochain.base.StreamSocketTest.ascii;
import static dev.protochain.base.StreamSocketTest.assertAborted;
import static dev.protochain.base.StreamSocketTest.text;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.SocketType;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The datagram socket contract, run over every datagram transport: udp4, udp6 and memory. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DatagramSocketTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void sendToArrivesWholeAndReceiveFromNamesTheSender(DatagramTransport transport)
      throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket a = bound(p);
      ChainSocket b = bound(p);
      b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, WAIT);
      assertEquals(5, a.sendTo(ascii("hello"), b.localAddress()));
      ByteBuffer buf = ByteBuffer.allocate(64);
      SocketAddress sender = b.receiveFrom(buf);
      assertEquals("hello", text(buf));
      assertEquals(a.localAddress(), sender, "sender address");
      assertEquals(SocketType.DATAGRAM, a.type());
    }
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void receiveFromWithoutTimeoutUsesTheDirectPath(DatagramTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket a = bound(p);
      ChainSocket b = bound(p);
      a.sendTo(ascii("plain"), b.localAddress());
      ByteBuffer buf = ByteBuffer.allocateDirect(64);
      assertEquals(a.localAddress(), b.receiveFrom(buf));
      assertEquals("plain", text(buf));
    }
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void aDatagramLongerThanTheBufferIsTruncatedAndTheNextArrivesWhole(DatagramTransport transport)
      throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket a = bound(p);
      ChainSocket b = bound(p);
      a.sendTo(ascii("0123456789abcdef"), b.localAddress());
      a.sendTo(ascii("next"), b.localAddress());
      ByteBuffer small = ByteBuffer.allocate(10);
      assertEquals(a.localAddress(), b.receiveFrom(small));
      assertEquals("0123456789", text(small), "truncated to fit");
      ByteBuffer rest = ByteBuffer.allocate(64);
      b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, WAIT);
      assertEquals(4, b.receive(rest), "the rest of the long datagram is gone");
      assertEquals("next", text(rest));
      a.sendTo(ascii("0123456789abcdef"), b.localAddress());
      ByteBuffer timedSmall = ByteBuffer.allocate(4);
      b.receiveFrom(timedSmall);
      assertEquals("0123", text(timedSmall), "truncated through the timed path too");
    }
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void connectFixesThePeerOfSendAndReceive(DatagramTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket a = bound(p);
      ChainSocket b = bound(p);
      a.connect(b.localAddress());
      b.connect(a.localAddress());
      assertEquals(b.localAddress(), a.remoteAddress());
      assertEquals(4, a.send(ascii("ping")));
      ByteBuffer buf = ByteBuffer.allocate(16);
      assertEquals(4, b.receive(buf));
      assertEquals("ping", text(buf));
      b.send(ascii("pong"));
      buf.clear();
      a.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, WAIT);
      assertEquals(4, a.receive(buf), "timed receive on a connected socket");
      assertEquals("pong", text(buf));
    }
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void aConnectedSocketIgnoresOtherSenders(DatagramTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket a = bound(p);
      ChainSocket b = bound(p);
      ChainSocket stranger = bound(p);
      b.connect(a.localAddress());
      stranger.sendTo(ascii("spam"), b.localAddress());
      a.sendTo(ascii("mine"), b.localAddress());
      b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, WAIT);
      ByteBuffer buf = ByteBuffer.allocate(16);
      assertEquals(a.localAddress(), b.receiveFrom(buf));
      assertEquals("mine", text(buf));
    }
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void sendToBindsAnUnboundSocket(DatagramTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket a = p.open();
      ChainSocket b = bound(p);
      assertNull(a.localAddress());
      a.sendTo(ascii("hi"), b.localAddress());
      SocketAddress local = a.localAddress();
      assertTrue(
          local instanceof InetSocketAddress && ((InetSocketAddress) local).getPort() > 0, "bound");
      b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, WAIT);
      ByteBuffer buf = ByteBuffer.allocate(16);
      SocketAddress sender = b.receiveFrom(buf);
      assertEquals(((InetSocketAddress) local).getPort(), ((InetSocketAddress) sender).getPort());
    }
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void receiveTimesOut(DatagramTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket b = bound(p);
      b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(100));
      assertThrows(SocketTimeoutException.class, () -> b.receiveFrom(ByteBuffer.allocate(8)));
      assertThrows(SocketTimeoutException.class, () -> b.receive(ByteBuffer.allocate(8)));
      assertTrue(b.isOpen(), "still open after a timeout");
    }
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void datagramSocketsDoNotListenAcceptOrShutDown(DatagramTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket s = p.open();
      UnsupportedOperationException e =
          assertThrows(UnsupportedOperationException.class, () -> s.listen(1));
      String provider = transport == DatagramTransport.MEMORY ? "memory" : "udp";
      assertEquals(
          "listen is not supported by provider '"
              + provider
              + "' for entry "
              + p.entry.id()
              + " '"
              + p.entry.name()
              + "': datagram sockets do not listen (expected: bind and receiveFrom)"
              + " ("
              + s
              + ")",
          e.getMessage());
      assertThrows(UnsupportedOperationException.class, s::accept);
      assertThrows(UnsupportedOperationException.class, s::shutdownInput);
      assertThrows(UnsupportedOperationException.class, s::shutdownOutput);
      IllegalStateException notConnected =
          assertThrows(IllegalStateException.class, () -> s.send(ascii("x")));
      assertTrue(
          notConnected
              .getMessage()
              .endsWith("the socket is not connected (expected: connect first, or sendTo)"),
          notConnected.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void closedSocketFailsWithClosedChannel(DatagramTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket s = bound(p);
      s.close();
      assertDoesNotThrow(s::close);
      assertFalse(s.isOpen());
      assertThrows(ClosedChannelException.class, () -> s.sendTo(ascii("x"), p.address(9)));
      assertThrows(ClosedChannelException.class, () -> s.receiveFrom(ByteBuffer.allocate(1)));
    }
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void unloadAbortsABlockedReceiveFromOnceAndEveryLaterOperation(DatagramTransport transport)
      throws Exception {
    LoadedProvider p = transport.load();
    ChainSocket b = bound(p);
    Blocking<SocketAddress> receive =
        Blocking.start("receiveFrom", () -> b.receiveFrom(ByteBuffer.allocate(8)));
    p.close();
    ProtochainException e = assertInstanceOf(ProtochainException.class, receive.failure());
    assertEquals(ProtochainException.Code.OPERATION_ABORTED, e.code());
    assertTrue(e.getMessage().startsWith("receiveFrom aborted: "), e.getMessage());
    assertAborted("receiveFrom", () -> b.receiveFrom(ByteBuffer.allocate(8)));
    assertAborted("sendTo", () -> b.sendTo(ascii("x"), p.address(9)));
    assertFalse(b.isOpen());
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void unloadAbortsABlockedTimedReceive(DatagramTransport transport) throws Exception {
    LoadedProvider p = transport.load();
    ChainSocket b = bound(p);
    b.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(30));
    Blocking<Integer> receive = Blocking.start("receive", () -> b.receive(ByteBuffer.allocate(8)));
    p.close();
    StreamSocketTest.assertCode(ProtochainException.Code.OPERATION_ABORTED, receive.failure());
  }

  @ParameterizedTest
  @EnumSource(DatagramTransport.class)
  void receiveBufferOptionRoundTrips(DatagramTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket s = p.open();
      s.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
      assertTrue(s.getOption(StandardSocketOptions.SO_RCVBUF) >= 8 * 1024);
      assertEquals(Duration.ZERO, s.getOption(ChainSocketOptions.RECEIVE_TIMEOUT));
    }
  }

  private static ChainSocket bound(LoadedProvider p) throws Exception {
    ChainSocket s = p.open();
    s.bind(p.address(0));
    return s;
  }
}
