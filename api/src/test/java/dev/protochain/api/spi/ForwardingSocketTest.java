package dev.protochain.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ForwardingSocketTest {

  final ChainSocket below = mock(ChainSocket.class);

  static final class Plain extends ForwardingSocket {
    Plain(ChainSocket below) {
      super(below);
    }

    @Override
    protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
      return new Plain(acceptedBelow);
    }
  }

  @Test
  void everyOperationIsForwardedToTheSocketBelow() throws IOException {
    ChainSocket s = new Plain(below);
    InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 9);
    ByteBuffer buf = ByteBuffer.allocate(4);

    s.bind(addr);
    s.listen(5);
    s.connect(addr, Duration.ofSeconds(1));
    s.send(buf);
    s.receive(buf);
    s.sendTo(buf, addr);
    s.receiveFrom(buf);
    s.flush();
    s.shutdownInput();
    s.shutdownOutput();
    assertSame(s, s.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ZERO));
    s.getOption(StandardSocketOptions.SO_LINGER);
    s.localAddress();
    s.remoteAddress();
    s.isOpen();
    s.close();

    verify(below).bind(addr);
    verify(below).listen(5);
    verify(below).connect(addr, Duration.ofSeconds(1));
    verify(below).send(buf);
    verify(below).receive(buf);
    verify(below).sendTo(buf, addr);
    verify(below).receiveFrom(buf);
    verify(below).flush();
    verify(below).shutdownInput();
    verify(below).shutdownOutput();
    verify(below).setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ZERO);
    verify(below).getOption(StandardSocketOptions.SO_LINGER);
    verify(below).localAddress();
    verify(below).remoteAddress();
    verify(below).isOpen();
    verify(below).close();
    verifyNoMoreInteractions(below);
  }

  @Test
  void acceptWrapsTheAcceptedSocketInTheLayer() throws IOException {
    ChainSocket accepted = mock(ChainSocket.class);
    when(below.accept()).thenReturn(accepted);
    ChainSocket s = new Plain(below).accept();
    assertEquals(Plain.class, s.getClass());
    s.flush();
    verify(accepted).flush();
  }

  @Test
  void aFailingWrapClosesTheAcceptedSocket() throws IOException {
    ChainSocket accepted = mock(ChainSocket.class);
    when(below.accept()).thenReturn(accepted);
    ForwardingSocket failing =
        new ForwardingSocket(below) {
          @Override
          protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) throws IOException {
            throw new IOException("handshake failed");
          }
        };
    assertEquals("handshake failed", assertThrows(IOException.class, failing::accept).getMessage());
    verify(accepted).close();
  }

  @Test
  void sendFullyLoopsOverPartialSends() throws IOException {
    ChainSocket s = new Plain(below);
    ByteBuffer src = ByteBuffer.allocate(10);
    when(below.send(src))
        .thenAnswer(
            inv -> {
              ByteBuffer b = inv.getArgument(0);
              int n = Math.min(3, b.remaining());
              b.position(b.position() + n);
              return n;
            });
    s.sendFully(src);
    assertEquals(0, src.remaining());
    verify(below, org.mockito.Mockito.times(4)).send(src);
  }
}
