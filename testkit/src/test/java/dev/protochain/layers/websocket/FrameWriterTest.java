package dev.protochain.layers.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the writer writes, read back by the reader of the other side. */
class FrameWriterTest {

  @ParameterizedTest(name = "client: {0}")
  @ValueSource(booleans = {true, false})
  void writesReadBackAsTheSameStream(boolean client) throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    FrameWriter w =
        new FrameWriter(
            src -> {
              byte[] b = new byte[src.remaining()];
              src.get(b);
              wire.write(b, 0, b.length);
            },
            client,
            1000);
    Random random = new Random(client ? 1 : 2);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (int i = 0; i < 50; i++) {
      byte[] b = new byte[random.nextInt(3000)];
      random.nextBytes(b);
      expected.write(b, 0, b.length);
      ByteBuffer src =
          i % 2 == 0 ? ByteBuffer.wrap(b) : ByteBuffer.allocateDirect(b.length).put(b).flip();
      while (src.hasRemaining()) {
        int before = src.remaining();
        int n = w.send(src);
        assertEquals(Math.min(before, 1000), n);
      }
      if (i % 7 == 0) {
        w.ping(new byte[] {'h', 'i'}, 2);
        w.pong(new byte[] {'p'}, 1);
      }
    }
    assertEquals(0, w.send(ByteBuffer.allocate(0)));
    assertFalse(w.closeSent());
    assertTrue(w.close(1000, "bye"));
    assertFalse(w.close(1001, "again"));
    assertTrue(w.closeSent());
    IOException after = assertThrows(IOException.class, () -> w.send(ByteBuffer.allocate(1)));
    assertEquals(
        "the close frame was sent; nothing may follow it (RFC 6455 5.5.1)", after.getMessage());

    FrameReaderTest.Recording control = new FrameReaderTest.Recording();
    FrameReader r =
        FrameReaderTest.reader(
            new FrameReaderTest.Pieces(wire.toByteArray(), 3, 5000), control, client, 1000);
    assertArrayEquals(expected.toByteArray(), FrameReaderTest.readAll(r, random));
    assertEquals("close 1000 normal closure 'bye'", control.events.get(control.events.size() - 1));
    assertEquals(8, control.events.stream().filter(e -> e.equals("ping hi")).count());
  }
}
