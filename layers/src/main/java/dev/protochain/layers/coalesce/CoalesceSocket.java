package dev.protochain.layers.coalesce;

import dev.protochain.api.ChainSocket;
import dev.protochain.layers.internal.HoldingSocket;
import dev.protochain.layers.internal.Sockets;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A stream socket holding small writes in one buffer of {@code threshold} bytes; the holding, the
 * timed and requested sends and the close are {@link HoldingSocket}'s.
 */
final class CoalesceSocket extends HoldingSocket {

  private final CoalesceLayer layer;
  private final ByteBuffer held; // guarded by the send lock

  CoalesceSocket(CoalesceLayer layer, ChainSocket below, boolean connected) {
    super(layer.owner(), below, connected);
    this.layer = layer;
    this.held = ByteBuffer.allocate(layer.threshold());
  }

  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    return new CoalesceSocket(layer, acceptedBelow, true);
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    if (layer.flushOnReceive()) {
      flushBeforeReceive();
    }
    return below().receive(dst);
  }

  @Override
  protected boolean passesThrough(ByteBuffer src) {
    return src.remaining() >= held.capacity(); // a large write with nothing held: no copy
  }

  @Override
  protected int hold(ByteBuffer src) {
    return Sockets.transfer(src, held);
  }

  @Override
  protected boolean full() {
    return !held.hasRemaining();
  }

  @Override
  protected void sendHeld() throws IOException {
    held.flip();
    try {
      while (held.hasRemaining()) {
        below().send(held);
        heldNow(held.remaining());
      }
    } finally {
      held.compact();
      heldNow(held.position());
    }
  }

  @Override
  protected void dropHeld() {
    held.clear();
  }
}
