package dev.protochain.layers.websocket;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.FramingContract;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

/**
 * The framing contract for {@code websocket}: messages of at most 4 KiB, a handshake bound of 2 s;
 * the header a peer declares a length with is a client's, masked.
 */
class WebSocketFramingContractTest extends FramingContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return WebSocketLayer.class;
  }

  @Override
  protected Map<String, String> settings() {
    return Map.of("max-message", "4096", "handshake-timeout", "2s");
  }

  @Override
  protected int maxPayloadPerFrame() {
    return 4096;
  }

  /** A final binary frame from a client: the length in 2 or 8 more bytes, then a mask key. */
  @Override
  protected byte[] headerDeclaring(long payloadLength) {
    ByteBuffer b = ByteBuffer.allocate(14).put((byte) 0x82);
    if (payloadLength <= 0xffff) {
      b.put((byte) (0x80 | 126)).putShort((short) payloadLength);
    } else {
      b.put((byte) (0x80 | 127)).putLong(payloadLength);
    }
    b.putInt(0x5eed1e55);
    return java.util.Arrays.copyOf(b.array(), b.position());
  }

  @Override
  protected Duration stallBound() {
    return Duration.ofSeconds(2);
  }
}
