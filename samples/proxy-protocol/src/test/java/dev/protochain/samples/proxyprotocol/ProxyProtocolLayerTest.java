package dev.protochain.samples.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ProxyProtocolLayerTest {

  static ChainRuntime runtime() throws IOException {
    ProviderDescriptor d = ProviderDescriptor.of(ProxyProtocolLayer.class);
    Catalog c =
        Catalog.builtin()
            .installLayer(d.name(), d.id(), Map.of(), List.of(1001, 1005))
            .checkValid("test");
    return ChainRuntime.builder().catalog(c).shutdownHook(false).build();
  }

  @Test
  void theAcceptedSocketReportsTheSourceTheHeaderNamesAndTheBytesAfterIt() throws Exception {
    try (ChainRuntime runtime = runtime();
        Session session = runtime.startup("proxy-protocol-tcp4");
        ChainSocket listener = session.open();
        ChainSocket client = session.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      listener.listen(1);
      client.connect(listener.localAddress());
      client.sendFully(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
      try (ChainSocket server = listener.accept()) {
        assertEquals(client.localAddress(), server.remoteAddress());
        ByteBuffer got = ByteBuffer.allocate(5);
        server.receiveFully(got);
        assertEquals("hello", new String(got.array(), StandardCharsets.US_ASCII));
      }
    }
  }

  @Test
  void aMalformedHeaderIsAClearError() throws Exception {
    try (ChainRuntime runtime = runtime();
        Session chain = runtime.startup("proxy-protocol-mem-stream");
        Session raw = runtime.startup("mem-stream");
        ChainSocket listener = chain.open();
        ChainSocket client = raw.open()) {
      listener.bind(null);
      listener.listen(1);
      client.connect(listener.localAddress());
      client.sendFully(
          ByteBuffer.wrap(
              "PROXY TCP4 10.0.0.300 10.0.0.1 1 2\r\n".getBytes(StandardCharsets.US_ASCII)));
      try (ChainSocket server = listener.accept()) {
        IOException e =
            assertThrows(IOException.class, () -> server.receive(ByteBuffer.allocate(10)));
        assertEquals(
            "layer 'proxy-protocol' (entry 2001): the accepting handshake with "
                + client.localAddress()
                + " failed at the PROXY header: '10.0.0.300' is not an address in"
                + " 'PROXY TCP4 10.0.0.300 10.0.0.1 1 2'; the peer sent 36 bytes"
                + " \"PROXY TCP4 10.0.0.300 10.0.0.1 1 2\\r\\n\"",
            e.getMessage());
      }
    }
  }

  @Test
  void aReceiveTimingOutInTheMiddleOfTheHeaderLosesNoByteOfIt() throws Exception {
    try (ChainRuntime runtime = runtime();
        Session chain = runtime.startup("proxy-protocol-mem-stream");
        Session raw = runtime.startup("mem-stream");
        ChainSocket listener = chain.open();
        ChainSocket client = raw.open()) {
      listener.bind(null);
      listener.listen(1);
      client.connect(listener.localAddress());
      client.sendFully(ByteBuffer.wrap("PROXY TCP4 10.0.0.7 ".getBytes(StandardCharsets.US_ASCII)));
      try (ChainSocket server = listener.accept()) {
        server.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(100));
        assertThrows(SocketTimeoutException.class, () -> server.receive(ByteBuffer.allocate(5)));
        client.sendFully(
            ByteBuffer.wrap("10.0.0.1 51234 443\r\nhello".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer got = ByteBuffer.allocate(5);
        server.receiveFully(got);
        assertEquals("hello", new String(got.array(), StandardCharsets.US_ASCII));
        assertEquals(new InetSocketAddress("10.0.0.7", 51234), server.remoteAddress());
      }
    }
  }

  @Test
  void headersNameFamilyAddressesAndPorts() {
    assertEquals(
        "PROXY TCP4 10.0.0.7 10.0.0.1 51234 443\r\n",
        ProxyProtocolSocket.header(
            new InetSocketAddress("10.0.0.7", 51234), new InetSocketAddress("10.0.0.1", 443)));
    assertEquals(
        "PROXY TCP6 0:0:0:0:0:0:0:1 0:0:0:0:0:0:0:1 5 6\r\n",
        ProxyProtocolSocket.header(
            new InetSocketAddress("::1", 5), new InetSocketAddress("::1", 6)));
    assertEquals(
        "PROXY UNKNOWN\r\n",
        ProxyProtocolSocket.header(
            new InetSocketAddress("::1", 5), new InetSocketAddress("10.0.0.1", 6)));
  }
}
