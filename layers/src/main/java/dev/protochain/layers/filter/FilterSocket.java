package dev.protochain.layers.filter;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.ForwardingSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;

/** A socket that asks its layer's rules before every connect, accept and sendTo. */
final class FilterSocket extends ForwardingSocket {

  private final FilterLayer layer;

  FilterSocket(FilterLayer layer, ChainSocket below) {
    super(below);
    this.layer = layer;
  }

  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    return new FilterSocket(layer, acceptedBelow);
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    layer.check("connect to", remote);
    below().connect(remote, timeout); // not super's: one frame fewer while the connect parks
  }

  @Override
  public ChainSocket accept() throws IOException {
    ChainSocket accepted = super.accept();
    try {
      layer.check("accept from", accepted.remoteAddress());
    } catch (RefusedByFilterException e) {
      try {
        accepted.setOption(StandardSocketOptions.SO_LINGER, 0); // the peer sees a reset
      } catch (IOException | RuntimeException noLinger) {
        e.addSuppressed(noLinger);
      }
      try {
        accepted.close();
      } catch (IOException | RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    return accepted;
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
    layer.check("sendTo", target);
    return super.sendTo(src, target);
  }
}
