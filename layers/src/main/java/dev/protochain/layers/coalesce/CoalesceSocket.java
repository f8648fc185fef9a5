package dev.protochain.layers.coalesce;

import dev.protochain.api.ChainSocket;
import dev.protochain.layers.internal.HoldingSocket;
import dev.protochain.layers.internal.Sockets;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A stream socket holding small writes in one buffer of {@code threshold} bytes; the holding, the
 * timed and requested sends and the close are {@link HoldingSocket}'s. The buffer is taken from the
 * layer's pool when a first byte is held and given back as soon as everything held has left, so
 * that a socket holding nothing, which is most sockets most of the time, costs no buffer.
 */
final class CoalesceSocket extends HoldingSocket {

  private final CoalesceLayer layer;
  private ByteBuffer held; // guarded by the send lock; null while nothing is held

  CoalesceSocket(CoalesceLayer layer, ChainSocket below, boolean connected) {
    super(layer.owner(), below, connected);
    this.layer = layer;
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
    return src.remaining() >= layer.threshold(); // a large write with nothing held: no copy
  }

  @Override
  protected int hold(ByteBuffer src) {
    if (held == null) {
      held = layer.takeBuffer();
    }
    return Sockets.transfer(src, held);
  }

  @Override
  protected boolean full() {
    return held != null && !held.hasRemaining();
  }

  @Override
  protected void sendHeld() throws IOException {
    held.flip();
    try {
      // Something is held (else nothing calls this), and the socket below usually takes it all at
      // once: the loop's test comes after one send, so that C2 compiles the send once.
      do {
        below().send(held);
        heldNow(held.remaining());
      } while (held.hasRemaining());
    } finally {
      held.compact();
      heldNow(held.position());
      if (held.position() == 0) {
        giveBack();
      }
    }
  }

  @Override
  protected void dropHeld() {
    if (held != null) {
      giveBack();
    }
  }

  private void giveBack() {
    layer.giveBack(held);
    held = null;
  }
}
