package example;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.FramingContract;
import java.nio.ByteBuffer;
import java.time.Duration;

/** The README's GreetLayer, as written, passes the framing contract. */
class GreetLayerFramingTest extends FramingContract {
  @Override protected Class<? extends LayeredProvider> layerClass() { return GreetLayer.class; }

  @Override protected int maxPayloadPerFrame() { return GreetLayer.MAX; }

  @Override protected byte[] headerDeclaring(long length) {
    return ByteBuffer.allocate(4).putInt((int) length).array();
  }

  @Override protected Duration stallBound() { return Duration.ofSeconds(5); }
}
