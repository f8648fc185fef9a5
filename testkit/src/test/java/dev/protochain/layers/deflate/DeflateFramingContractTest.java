package dev.protochain.layers.deflate;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.FramingContract;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

/**
 * The framing contract for {@code deflate} with a small {@code max-frame}, so that frames of the
 * maximum are cheap; deflate has no handshake, so a stalled peer only meets receive timeouts.
 */
class DeflateFramingContractTest extends FramingContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return DeflateLayer.class;
  }

  @Override
  protected Map<String, String> settings() {
    return Map.of("max-frame", "4096");
  }

  @Override
  protected int maxPayloadPerFrame() {
    return 4096;
  }

  /** A deflated frame's header: the block's length, then flags 0x01. */
  @Override
  protected byte[] headerDeclaring(long payloadLength) {
    return ByteBuffer.allocate(5).putInt((int) payloadLength).put((byte) 1).array();
  }

  @Override
  protected Duration stallBound() {
    return Duration.ofSeconds(2);
  }
}
