package dev.protochain.base;

import static dev.protochain.base.StreamSocketTest.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.base.LoadedProvider.Connection;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only the TCP provider does: lazy channels, remembered and inherited options, timeouts. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TcpProviderTest {

  private static LoadedProvider tcp4() throws IOException {
    return StreamTransport.TCP4.load(Map.of());
  }

  @Test
  void localAddressAfterBindIsTheRequestedOneUntilListen() throws Exception {
    try (LoadedProvider p = tcp4()) {
      ChainSocket s = p.open();
      assertNull(s.localAddress(), "unbound");
      InetSocketAddress requested = p.address(0);
      s.bind(requested);
      assertEquals(requested, s.localAddress());
      assertEquals("TcpSocket[tcp4 bound 127.0.0.1:0]", s.toString());
      s.listen(0);
      InetSocketAddress actual = (InetSocketAddress) s.localAddress();
      assertEquals(requested.getAddress(), actual.getAddress());
      assertTrue(actual.getPort() > 0, "an ephemeral port once listening");
    }
  }

  @Test
  void bindWithoutAnAddressListensOnTheWildcard() throws Exception {
    try (LoadedProvider p = tcp4()) {
      ChainSocket s = p.open();
      s.bind(null);
      assertEquals(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), s.localAddress());
      s.listen(0);
      ChainSocket client = p.open();
      client.connect(p.address(LoadedProvider.port(s)));
      assertTrue(s.accept().isOpen());
    }
  }

  @Test
  void optionsSetBeforeTheChannelExistsAreAppliedAndInheritedByAcceptedSockets() throws Exception {
    try (LoadedProvider p = tcp4()) {
      ChainSocket listener = p.open();
      listener.setOption(StandardSocketOptions.TCP_NODELAY, true);
      listener.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      listener.bind(p.address(0));
      listener.listen(0);
      assertTrue(
          listener.getOption(StandardSocketOptions.TCP_NODELAY), "remembered on the listener");
      ChainSocket client = p.open();
      client.setOption(StandardSocketOptions.TCP_NODELAY, true);
      assertTrue(client.getOption(StandardSocketOptions.TCP_NODELAY), "remembered before connect");
      assertFalse(client.getOption(StandardSocketOptions.SO_KEEPALIVE), "a new channel's default");
      client.connect(p.address(LoadedProvider.port(listener)));
      ChainSocket accepted = listener.accept();
      assertTrue(client.getOption(StandardSocketOptions.TCP_NODELAY), "applied at connect");
      assertTrue(
          accepted.getOption(StandardSocketOptions.TCP_NODELAY), "inherited from the listener");
      assertTrue(
          accepted.getOption(StandardSocketOptions.SO_KEEPALIVE), "inherited from the listener");
    }
  }

  @Test
  void reuseAddressLetsASecondListenerTakeAPortInTimeWait() throws Exception {
    try (LoadedProvider p = tcp4()) {
      ChainSocket first = p.listen();
      int port = LoadedProvider.port(first);
      Connection c = p.connect(first);
      c.server.close(); // the server closes first: its side of the port goes to TIME_WAIT
      c.client.close();
      first.close();
      ChainSocket second = p.open();
      second.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      second.bind(p.address(port));
      second.listen(0);
      assertEquals(port, LoadedProvider.port(second));
    }
  }

  @Test
  void anAddressInUseIsReportedByListenWithTheAddress() throws Exception {
    try (LoadedProvider p = tcp4()) {
      int port = LoadedProvider.port(p.listen());
      ChainSocket second = p.open();
      second.bind(p.address(port));
      BindException e = assertThrows(BindException.class, () -> second.listen(0));
      assertEquals(
          "Address already in use: 127.0.0.1:"
              + port
              + " (listen on TcpSocket[tcp4 bound"
              + " 127.0.0.1:"
              + port
              + "])",
          e.getMessage());
      assertEquals("TcpSocket[tcp4 bound 127.0.0.1:" + port + "]", second.toString(), "unchanged");
    }
  }

  @Test
  void anIpv6AddressOnAnIpv4EntryIsRefused() throws Exception {
    try (LoadedProvider p = tcp4()) {
      ChainSocket s = p.open();
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0)));
      assertEquals(
          "bind on TcpSocket[tcp4 unbound]: [0:0:0:0:0:0:0:1]:0 is an IPv6 address"
              + " (expected: IPv4 for entry 'tcp4')",
          e.getMessage());
    }
  }

  @Test
  void connectWithATimeoutTimesOutWhenNoSynIsAnswered() throws Exception {
    // A listener that never accepts: once its accept queue is full, Linux drops further SYNs, so
    // a connect can only time out.
    try (LoadedProvider p = tcp4()) {
      ChainSocket listener = p.open();
      listener.bind(p.address(0));
      listener.listen(1);
      InetSocketAddress address = (InetSocketAddress) listener.localAddress();
      List<ChainSocket> clients = new ArrayList<>();
      SocketTimeoutException timedOut = null;
      for (int i = 0; i < 64 && timedOut == null; i++) {
        ChainSocket client = p.open();
        clients.add(client);
        try {
          client.connect(address, Duration.ofMillis(200));
        } catch (SocketTimeoutException e) {
          timedOut = e;
        } catch (ConnectException e) {
          break; // an OS that refuses instead (tcp_abort_on_overflow): nothing to time out
        }
      }
      assumeTrue(timedOut != null, "this OS does not drop SYNs to a full backlog");
      assertEquals("Connect timed out", timedOut.getMessage());
      ChainSocket last = clients.get(clients.size() - 1);
      assertNull(last.remoteAddress(), "not connected after a timeout");
      assertTrue(last.isOpen(), "the socket stays usable");
    }
  }

  @Test
  void optionsSetAfterConnectingOrAcceptingGoToTheChannel() throws Exception {
    try (LoadedProvider p = tcp4()) {
      ChainSocket listener = p.listen();
      Connection first = p.connect(listener);
      first.client.setOption(StandardSocketOptions.TCP_NODELAY, true);
      first.server.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      assertTrue(first.client.getOption(StandardSocketOptions.TCP_NODELAY));
      assertTrue(first.server.getOption(StandardSocketOptions.SO_KEEPALIVE));
      listener.setOption(StandardSocketOptions.TCP_NODELAY, true); // for later accepts only
      assertFalse(first.server.getOption(StandardSocketOptions.TCP_NODELAY), "not retroactive");
      Connection second = p.connect(listener);
      assertTrue(second.server.getOption(StandardSocketOptions.TCP_NODELAY), "inherited");
      assertFalse(second.server.getOption(StandardSocketOptions.SO_KEEPALIVE), "not the first's");
    }
  }

  @Test
  void aConnectOnAnInterruptedThreadFailsAsABlockingConnectDoes() throws Exception {
    try (LoadedProvider p = tcp4()) {
      ChainSocket listener = p.listen();
      ChainSocket client = p.open();
      Thread.currentThread().interrupt();
      try {
        assertThrows(
            ClosedByInterruptException.class,
            () -> client.connect(p.address(LoadedProvider.port(listener))));
      } finally {
        assertTrue(Thread.interrupted(), "the interrupt is kept");
      }
      ChainSocket again = p.open();
      again.connect(p.address(LoadedProvider.port(listener)));
      assertTrue(again.remoteAddress() != null, "a thread not interrupted connects");
    }
  }

  @Test
  void aConnectedSocketIsNotListeningAndCannotConnectAgain() throws Exception {
    try (LoadedProvider p = tcp4()) {
      Connection c = p.connect(p.listen());
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> c.client.connect(p.address(1)));
      assertTrue(e.getMessage().endsWith(": the socket is already connected"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> c.client.listen(0));
      assertEquals(4, c.client.send(ascii("four")), "send writes every byte");
    }
  }
}
