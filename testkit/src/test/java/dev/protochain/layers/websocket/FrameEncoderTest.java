package dev.protochain.layers.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the encoder writes, read back by the decoder of the other side. */
class FrameEncoderTest {

  static void write(ByteArrayOutputStream wire, ByteBuffer frame) {
    byte[] b = new byte[frame.remaining()];
    frame.get(b);
    wire.write(b, 0, b.length);
  }

  @ParameterizedTest(name = "client: {0}")
  @ValueSource(booleans = {true, false})
  void framesReadBackAsTheSameStream(boolean client) throws Exception {
    FrameEncoder encoder = new FrameEncoder(client);
    ByteBuffer out = ByteBuffer.allocate(FrameEncoder.maxEncodedLength(1000));
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    Random random = new Random(client ? 1 : 2);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    int pings = 0;
    for (int i = 0; i < 50; i++) {
      byte[] b = new byte[1 + random.nextInt(3000)];
      random.nextBytes(b);
      expected.write(b, 0, b.length);
      ByteBuffer src =
          i % 2 == 0 ? ByteBuffer.wrap(b) : ByteBuffer.allocateDirect(b.length).put(b).flip();
      while (src.hasRemaining()) {
        int before = src.remaining();
        encoder.encode(src, out.clear());
        assertEquals(Math.min(before, 1000), before - src.remaining());
        write(wire, out.flip());
      }
      if (i % 7 == 0) {
        write(wire, encoder.control(Frames.PING, new byte[] {'h', 'i'}, 2));
        write(wire, encoder.control(Frames.PONG, new byte[] {'p'}, 1));
        pings++;
      }
    }
    write(wire, encoder.close(1000, "bye"));

    FrameDecoderTest.Recording control = new FrameDecoderTest.Recording();
    FrameDecoderTest.Reader r =
        FrameDecoderTest.reader(
            new FrameDecoderTest.Pieces(wire.toByteArray(), 3, 5000), control, client, 1000);
    assertArrayEquals(expected.toByteArray(), FrameDecoderTest.readAll(r, random));
    assertEquals(new Frames.Close(1000, "bye"), r.closed());
    assertEquals(pings, control.events.stream().filter(e -> e.equals("ping hi")).count());
  }
}
