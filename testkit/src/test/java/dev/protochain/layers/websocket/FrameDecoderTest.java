package dev.protochain.layers.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.FrameReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frame reader over in-memory bytes handed out in random pieces: messages in fragments with
 * control frames between them, truncation at every byte, and every header check of section 5.
 */
class FrameDecoderTest {

  /** Frames as a peer writes them. */
  static final class Wire {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final boolean mask;
    final Random random = new Random(7);

    Wire(boolean mask) {
      this.mask = mask;
    }

    Wire frame(boolean fin, int opcode, byte[] payload) {
      return raw(fin ? 0x80 | opcode : opcode, payload);
    }

    Wire raw(int b0, byte[] payload) {
      byte[] f = new byte[Frames.MAX_HEADER + payload.length];
      int key = random.nextInt();
      int h = Frames.writeHeader(f, 0, false, 0, payload.length, mask, key);
      f[0] = (byte) b0;
      if (mask) {
        Frames.maskCopy(payload, 0, f, h, payload.length, key);
      } else {
        System.arraycopy(payload, 0, f, h, payload.length);
      }
      out.write(f, 0, h + payload.length);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  /** Hands out {@code bytes} in random pieces of 1 to {@code most} bytes. */
  static final class Pieces {
    final byte[] bytes;
    final Random random;
    final int most;
    int at;
    int timeoutAt = -1;

    Pieces(byte[] bytes, long seed, int most) {
      this.bytes = bytes;
      this.random = new Random(seed);
      this.most = most;
    }

    int receive(ByteBuffer dst) throws IOException {
      if (timeoutAt >= 0 && at >= timeoutAt) {
        timeoutAt = -1;
        throw new SocketTimeoutException("receive timed out");
      }
      if (at == bytes.length) {
        return -1;
      }
      int n = Math.min(Math.min(dst.remaining(), bytes.length - at), 1 + random.nextInt(most));
      dst.put(bytes, at, n);
      at += n;
      return n;
    }
  }

  static final class Recording implements FrameDecoder.Control {
    final List<String> events = new ArrayList<>();

    @Override
    public void ping(byte[] payload, int len) {
      events.add("ping " + new String(payload, 0, len, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** A socket whose receive hands out the pieces; nothing else is called. */
  static ChainSocket socket(Pieces pieces) {
    return (ChainSocket)
        Proxy.newProxyInstance(
            ChainSocket.class.getClassLoader(),
            new Class<?>[] {ChainSocket.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "receive" -> pieces.receive((ByteBuffer) args[0]);
                  case "remoteAddress" -> new InetSocketAddress("127.0.0.1", 7);
                  case "toString" -> "pieces";
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  /** The kit's reader over a decoder, as the layer's socket runs them. */
  static final class Reader {
    final FrameDecoder decoder;
    final FrameReader kit;

    Reader(Pieces pieces, Recording control, boolean fromClient, int max) {
      decoder = new FrameDecoder(control, fromClient, max);
      kit =
          new FrameReader(
              socket(pieces),
              new FrameReader.Decoder() {
                @Override
                public int maxFrameLength() {
                  return FrameDecoder.maxFrameLength(max);
                }

                @Override
                public long frameLength(ByteBuffer buffered) throws IOException {
                  return decoder.frameLength(buffered);
                }

                @Override
                public ByteBuffer decode(ByteBuffer frame) throws IOException {
                  return decoder.decode(frame);
                }
              },
              "layer 'websocket' (entry 2001)");
    }

    int read(ByteBuffer dst) throws IOException {
      return kit.receive(dst);
    }

    Frames.Close closed() {
      return decoder.closed();
    }

    long frames() {
      return decoder.frames();
    }
  }

  static Reader reader(Pieces source, Recording control, boolean fromClient, int max) {
    return new Reader(source, control, fromClient, max);
  }

  /** Reads everything in pieces of random size until end of stream. */
  static byte[] readAll(Reader r, Random random) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(5000);
    while (true) {
      buf.clear().limit(1 + random.nextInt(buf.capacity()));
      int n = r.read(buf);
      if (n < 0) {
        return got.toByteArray();
      }
      assertTrue(n > 0);
      got.write(buf.array(), 0, n);
    }
  }

  /* ---- messages ---- */

  @ParameterizedTest(name = "from the client: {0}")
  @ValueSource(booleans = {true, false})
  void fragmentedMessagesWithControlFramesBetweenReadAsOneStream(boolean fromClient)
      throws Exception {
    Random random = new Random(fromClient ? 3 : 4);
    Wire wire = new Wire(fromClient);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    List<String> expectedEvents = new ArrayList<>();
    for (int m = 0; m < 60; m++) {
      int fragments = 1 + random.nextInt(4);
      for (int f = 0; f < fragments; f++) {
        byte[] payload =
            new byte[random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(70000)];
        random.nextBytes(payload);
        expected.write(payload, 0, payload.length);
        int opcode = f > 0 ? Frames.CONTINUATION : m % 2 == 0 ? Frames.BINARY : Frames.TEXT;
        wire.frame(f == fragments - 1, opcode, payload);
        if (random.nextInt(3) == 0) {
          wire.frame(
              true,
              Frames.PING,
              ("p" + m + "." + f).getBytes(java.nio.charset.StandardCharsets.UTF_8));
          expectedEvents.add("ping p" + m + "." + f);
        }
        if (random.nextInt(5) == 0) {
          wire.frame(true, Frames.PONG, new byte[3]);
        }
      }
    }
    wire.frame(true, Frames.CLOSE, Frames.closePayload(1000, "done"));
    wire.frame(true, Frames.BINARY, new byte[] {1, 2, 3}); // after the close: never read
    for (int most : new int[] {1 << 20, 3, 100000}) {
      Recording control = new Recording();
      Reader r = reader(new Pieces(wire.bytes(), most, most), control, fromClient, 1 << 20);
      byte[] got = most == 3 ? readSmall(r) : readAll(r, random);
      assertArrayEquals(expected.toByteArray(), got);
      assertEquals(expectedEvents, control.events);
      assertEquals(new Frames.Close(1000, "done"), r.closed());
      assertEquals(-1, r.read(ByteBuffer.allocate(1)));
      assertEquals(0, r.read(ByteBuffer.allocate(0)));
    }
  }

  static byte[] readSmall(Reader r) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(7);
    for (int n; (n = r.read(buf.clear())) >= 0; ) {
      got.write(buf.array(), 0, n);
    }
    return got.toByteArray();
  }

  @Test
  void aDirectBufferIsUnmaskedInPlace() throws Exception {
    byte[] payload = new byte[100000];
    new Random(5).nextBytes(payload);
    byte[] wire =
        new Wire(true)
            .frame(true, Frames.BINARY, payload)
            .frame(true, Frames.CLOSE, new byte[0])
            .bytes();
    Reader r = reader(new Pieces(wire, 1, 1 << 20), new Recording(), true, 1 << 20);
    ByteBuffer dst = ByteBuffer.allocateDirect(payload.length);
    while (dst.hasRemaining()) {
      assertTrue(r.read(dst) > 0);
    }
    byte[] got = new byte[payload.length];
    dst.flip().get(got);
    assertArrayEquals(payload, got);
    assertEquals(-1, r.read(dst.clear()));
    assertEquals(Frames.NO_STATUS, r.closed().code());
  }

  @Test
  void aTimeoutInsideAHeaderOrPayloadLeavesTheReaderAsItWas() throws Exception {
    byte[] payload = new byte[300];
    new Random(6).nextBytes(payload);
    byte[] wire =
        new Wire(true)
            .frame(true, Frames.BINARY, payload)
            .frame(true, Frames.BINARY, payload)
            .frame(true, Frames.CLOSE, new byte[0])
            .bytes();
    for (int at = 0; at < wire.length; at++) {
      Pieces source = new Pieces(wire, at, 1); // byte by byte: every position is asked for
      source.timeoutAt = at;
      Reader r = reader(source, new Recording(), true, 1 << 20);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(64);
      int timeouts = 0;
      while (true) {
        int n;
        try {
          n = r.read(buf.clear());
        } catch (SocketTimeoutException e) {
          timeouts++;
          continue;
        }
        if (n < 0) {
          break;
        }
        got.write(buf.array(), 0, n);
      }
      assertEquals(1, timeouts, "at " + at);
      byte[] twice = new byte[600];
      System.arraycopy(payload, 0, twice, 0, 300);
      System.arraycopy(payload, 0, twice, 300, 300);
      assertArrayEquals(twice, got.toByteArray(), "at " + at);
    }
  }

  /* ---- truncation ---- */

  @Test
  void aConnectionEndingInsideAFrameIsRefusedAndBetweenFramesIsTheEnd() throws Exception {
    byte[] wire =
        new Wire(false)
            .frame(false, Frames.BINARY, new byte[200])
            .frame(true, Frames.PING, new byte[4])
            .frame(true, Frames.CONTINUATION, new byte[70000])
            .frame(true, Frames.CLOSE, Frames.closePayload(1000, ""))
            .bytes();
    List<Integer> boundaries = List.of(0, 204, 210, 70220);
    for (int cut = 0; cut < wire.length; cut++) {
      Reader r =
          reader(new Pieces(Arrays.copyOf(wire, cut), cut, 9000), new Recording(), false, 1 << 20);
      if (boundaries.contains(cut)) {
        readAll(r, new Random(1)); // the socket makes this an abnormal closure: no close frame
        assertNull(r.closed());
        continue;
      }
      int at = cut;
      ProtocolException e =
          assertThrows(ProtocolException.class, () -> readAll(r, new Random(1)), "cut " + at);
      String m = e.getMessage();
      assertTrue(
          m.startsWith(
              "layer 'websocket' (entry 2001): the stream from /127.0.0.1:7 ended inside "),
          m);
      if (cut == 205) {
        assertEquals(
            "layer 'websocket' (entry 2001): the stream from /127.0.0.1:7 ended inside the header"
                + " of frame 2 (1 bytes read, at least 1 more needed)",
            m);
      }
      if (cut == 210 + 10 + 500) {
        assertEquals(
            "layer 'websocket' (entry 2001): the stream from /127.0.0.1:7 ended inside frame 3"
                + " (510 of 70010 bytes read)",
            m);
      }
    }
    Reader whole = reader(new Pieces(wire, 0, 9000), new Recording(), false, 1 << 20);
    assertEquals(70200, readAll(whole, new Random(1)).length);
    assertEquals(Frames.NORMAL, whole.closed().code());
  }

  /* ---- what the reader refuses ---- */

  static FrameException refused(Wire wire, boolean fromClient, int max) {
    Reader r = reader(new Pieces(wire.bytes(), 1, 1 << 20), new Recording(), fromClient, max);
    return assertThrows(FrameException.class, () -> readAll(r, new Random(1)));
  }

  static void assertRefused(int status, String message, Wire wire, boolean fromClient) {
    FrameException e = refused(wire, fromClient, 1000);
    assertEquals(message, e.getMessage());
    assertEquals(status, e.status());
  }

  @Test
  void framesBreakingSectionFiveAreRefusedWithTheirStatus() {
    assertRefused(
        1002,
        "frame 1 is not masked (a client masks every frame, RFC 6455 5.1)",
        new Wire(false).frame(true, Frames.BINARY, new byte[1]),
        true);
    assertRefused(
        1002,
        "frame 1 is masked (a server masks no frame, RFC 6455 5.1)",
        new Wire(true).frame(true, Frames.BINARY, new byte[1]),
        false);
    assertRefused(
        1002,
        "frame 1 has reserved bits 0x40 set, and no extension was agreed",
        new Wire(false).raw(0xc2, new byte[1]),
        false);
    assertRefused(
        1002,
        "frame 2 has opcode 0x3 (reserved)",
        new Wire(false).frame(true, 2, new byte[1]).frame(true, 3, new byte[0]),
        false);
    assertRefused(
        1002,
        "frame 1 has opcode 0xb (reserved)",
        new Wire(false).frame(true, 0xb, new byte[0]),
        false);
    assertRefused(
        1002,
        "frame 1 is a ping frame split in fragments (a control frame is final and at most 125 bytes)",
        new Wire(false).frame(false, Frames.PING, new byte[1]),
        false);
    assertRefused(
        1002,
        "frame 1 is a close frame of more than 125 bytes (a control frame is final and at most 125"
            + " bytes)",
        new Wire(false).frame(true, Frames.CLOSE, new byte[126]),
        false);
    assertRefused(
        1002,
        "frame 1 continues a message, but none was begun",
        new Wire(false).frame(true, Frames.CONTINUATION, new byte[1]),
        false);
    assertRefused(
        1002,
        "frame 3 begins a text message inside a fragmented one (expected: a continuation)",
        new Wire(false)
            .frame(false, Frames.BINARY, new byte[1])
            .frame(true, Frames.PONG, new byte[1])
            .frame(true, Frames.TEXT, new byte[1]),
        false);
    assertRefused(
        1009,
        "frame 3 makes a message of 1001 bytes, over the bound of 1000 (setting 'max-message')",
        new Wire(false)
            .frame(false, Frames.BINARY, new byte[600])
            .frame(false, Frames.CONTINUATION, new byte[0])
            .frame(true, Frames.CONTINUATION, new byte[401]),
        false);
    assertRefused(
        1002,
        "frame 1 is a close frame with status 1005, which may not be sent (RFC 6455 7.4)",
        new Wire(false).frame(true, Frames.CLOSE, new byte[] {0x03, (byte) 0xed}),
        false);
    byte[] huge = {(byte) 0x82, 0x7f, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0};
    Reader r = reader(new Pieces(huge, 1, 3), new Recording(), false, 1 << 20);
    FrameException e = assertThrows(FrameException.class, () -> r.read(ByteBuffer.allocate(1)));
    assertEquals("frame 1 declares a length with its top bit set", e.getMessage());
  }

  @Test
  void aMessageOfExactlyTheBoundIsRead() throws Exception {
    Wire wire =
        new Wire(false)
            .frame(false, Frames.BINARY, new byte[600])
            .frame(true, Frames.CONTINUATION, new byte[400])
            .frame(true, Frames.BINARY, new byte[1000])
            .frame(true, Frames.CLOSE, new byte[0]);
    Reader r = reader(new Pieces(wire.bytes(), 1, 50), new Recording(), false, 1000);
    assertEquals(2000, readAll(r, new Random(2)).length);
    assertEquals(4, r.frames());
  }

  @Test
  void nothingIsReadBeforeTheFirstFrame() throws Exception {
    Reader r = reader(new Pieces(new byte[0], 1, 1), new Recording(), false, 10);
    assertEquals(0, r.read(ByteBuffer.allocate(0)));
    assertNull(r.closed());
  }
}
