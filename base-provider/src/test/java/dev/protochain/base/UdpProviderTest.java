package dev.protochain.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import java.net.StandardSocketOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only the UDP provider does: its own options. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class UdpProviderTest {

  @Test
  void broadcastAndBufferOptionsReachTheChannel() throws Exception {
    try (LoadedProvider p = DatagramTransport.UDP4.load()) {
      ChainSocket s = p.open();
      s.setOption(StandardSocketOptions.SO_BROADCAST, true);
      assertTrue(s.getOption(StandardSocketOptions.SO_BROADCAST));
      s.setOption(StandardSocketOptions.SO_SNDBUF, 32 * 1024);
      assertTrue(s.getOption(StandardSocketOptions.SO_SNDBUF) >= 16 * 1024);
    }
  }

  @Test
  void tcpOptionsAreNotSupported() throws Exception {
    try (LoadedProvider p = DatagramTransport.UDP6.load()) {
      ChainSocket s = p.open();
      UnsupportedOperationException e =
          assertThrows(
              UnsupportedOperationException.class,
              () -> s.setOption(StandardSocketOptions.TCP_NODELAY, true));
      assertEquals(
          "option 'TCP_NODELAY' is not supported by provider 'udp' for entry 1004 'udp6'"
              + " (supported: SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR, SO_BROADCAST, RECEIVE_TIMEOUT)",
          e.getMessage());
    }
  }

  @Test
  void toStringShowsBothEnds() throws Exception {
    try (LoadedProvider p = DatagramTransport.UDP4.load()) {
      ChainSocket s = p.open();
      assertEquals("UdpSocket[udp4 unbound]", s.toString());
      s.bind(p.address(0));
      int port = LoadedProvider.port(s);
      s.connect(p.address(9));
      assertEquals("UdpSocket[udp4 127.0.0.1:" + port + " -> 127.0.0.1:9]", s.toString());
    }
  }
}
