package dev.protochain.layers.deflate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import dev.protochain.layers.Stock;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deflate layer's own behaviour: its frame format on the wire, stored blocks for what does not
 * shrink, malformed and oversized frames refused with bounded memory, and held bytes at close. A
 * raw {@code mem-stream} socket in the same runtime plays the peer that reads or forges frames.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeflateLayerTest {

  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  static final String PREFIX = "layer 'deflate' (entry 2001): ";

  static ChainRuntime runtime(Map<String, String> settings) throws IOException {
    return Stock.runtime(Stock.catalog(DeflateLayer.class, settings, "mem-stream"));
  }

  /** A connected pair: {@code deflated} through the layer, {@code raw} on the bare base. */
  record Pair(ChainSocket deflated, ChainSocket raw) {}

  static Pair connect(Session layered, Session bare) throws IOException {
    ChainSocket listener = Stock.listener(bare);
    ChainSocket deflated = layered.open();
    deflated.connect(listener.localAddress());
    ChainSocket raw = listener.accept();
    raw.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
    deflated.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
    listener.close();
    return new Pair(deflated, raw);
  }

  /** Reads frames from {@code raw} until the end of the stream: [length, flags, block...]. */
  static ByteArrayOutputStream readWire(ChainSocket raw) throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(8192);
    while (raw.receive(buf.clear()) >= 0) {
      wire.write(buf.array(), 0, buf.position());
    }
    return wire;
  }

  /* ---- the format on the wire ---- */

  @Test
  void compressibleBytesTravelAsDeflatedFramesOfAtMostMaxFrame() throws Exception {
    byte[] text =
        "the quick brown fox jumps over the lazy dog. "
            .repeat(10_000)
            .getBytes(StandardCharsets.US_ASCII);
    try (ChainRuntime rt = runtime(Map.of("max-frame", "65536", "delay", "0"));
        Session layered = rt.startup("deflate-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      Pair p = connect(layered, bare);
      p.deflated().sendFully(ByteBuffer.wrap(text));
      p.deflated().shutdownOutput();
      ByteBuffer wire = ByteBuffer.wrap(readWire(p.raw()).toByteArray());

      ByteArrayOutputStream plain = new ByteArrayOutputStream();
      int frames = 0;
      while (wire.hasRemaining()) {
        int length = wire.getInt();
        int flags = wire.get();
        assertEquals(1, flags, "frame " + frames + " is deflated");
        assertTrue(length > 0 && length <= 65536, "length " + length);
        byte[] block = new byte[length];
        wire.get(block);
        Inflater inflater = new Inflater();
        inflater.setInput(block);
        byte[] out = new byte[65536];
        int n = inflater.inflate(out);
        assertTrue(inflater.finished());
        inflater.end();
        plain.write(out, 0, n);
        frames++;
      }
      assertArrayEquals(text, plain.toByteArray());
      assertEquals(7, frames, "450,000 bytes in frames of 65536");
      assertTrue(wire.capacity() < text.length / 20, "compressed to " + wire.capacity() + " bytes");
    }
  }

  @Test
  void bytesThatWouldNotShrinkAreStored() throws Exception {
    byte[] noise = new byte[3_000];
    new Random(1).nextBytes(noise);
    try (ChainRuntime rt = runtime(Map.of("delay", "0"));
        Session layered = rt.startup("deflate-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      Pair p = connect(layered, bare);
      p.deflated().sendFully(ByteBuffer.wrap(noise));
      p.deflated().shutdownOutput();
      byte[] wire = readWire(p.raw()).toByteArray();
      ByteBuffer expected =
          ByteBuffer.allocate(5 + noise.length).putInt(noise.length).put((byte) 0).put(noise);
      assertArrayEquals(expected.array(), wire);
    }
  }

  @Test
  void heldBytesLeaveOnlyAtTheFinalCleanupWhenTheDelayIsLong() throws Exception {
    try (ChainRuntime rt = runtime(Map.of("delay", "10m"));
        Session bare = rt.startup("mem-stream")) {
      Session layered = rt.startup("deflate-mem-stream");
      Pair p = connect(layered, bare);
      p.deflated().sendFully(ByteBuffer.wrap("held".getBytes(StandardCharsets.US_ASCII)));
      p.raw().setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(300));
      assertThrows(SocketTimeoutException.class, () -> p.raw().receive(ByteBuffer.allocate(64)));

      p.deflated().close(); // graceful, linger off: returns at once, still holding
      assertThrows(SocketTimeoutException.class, () -> p.raw().receive(ByteBuffer.allocate(64)));
      layered.close(); // the final cleanup of deflate delivers the frame and closes below

      p.raw().setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
      byte[] wire = readWire(p.raw()).toByteArray();
      assertArrayEquals(new byte[] {0, 0, 0, 4, 0, 'h', 'e', 'l', 'd'}, wire);
    }
  }

  @Test
  void aReceiveReturnsWhileTheHeldBytesCannotBeSentYet() throws Exception {
    // A 4 KiB pipe to the raw peer, filled exactly by one stored frame, so held bytes cannot leave.
    Catalog c = Catalog.builtin();
    c =
        c.with(
            c.entry("mem-stream").orElseThrow().toBuilder().setting("buffer-size", "4096").build());
    c =
        c.installLayer(
            "deflate",
            Stock.descriptor(DeflateLayer.class).id(),
            Map.of("delay", "10m"),
            List.of(1005));
    try (ChainRuntime rt = Stock.runtime(c);
        Session layered = rt.startup("deflate-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      Pair p = connect(layered, bare);
      byte[] noise = new byte[4091];
      new Random(3).nextBytes(noise);
      p.deflated().sendFully(ByteBuffer.wrap(noise));
      p.deflated().flush(); // one stored frame of 4096 bytes: the pipe is full
      p.deflated().sendFully(ByteBuffer.wrap(new byte[10])); // held
      p.raw().sendFully(ByteBuffer.wrap(frame(5, 0, new byte[] {1, 2, 3, 4, 5})));

      ByteBuffer got = ByteBuffer.allocate(16);
      Future<Integer> receiving = pool.submit(() -> p.deflated().receive(got));
      assertEquals(
          5,
          receiving.get(5, TimeUnit.SECONDS),
          "the receive must not wait for the held bytes to leave");

      ByteBuffer wire = ByteBuffer.allocate(4096 + 5 + 10);
      assertTrue(
          p.raw().receiveFully(wire),
          "the layer's thread sends the held frame once the peer reads");
      assertArrayEquals(
          frame(10, 0, new byte[10]), Arrays.copyOfRange(wire.array(), 4096, 4096 + 15));
    }
  }

  /* ---- malformed and oversized frames ---- */

  /** Forges {@code wire} from the raw side and returns what the deflate side's receive throws. */
  static String refusal(Map<String, String> settings, byte[] wire) throws Exception {
    try (ChainRuntime rt = runtime(settings);
        Session layered = rt.startup("deflate-mem-stream");
        Session bare = rt.startup("mem-stream")) {
      Pair p = connect(layered, bare);
      p.raw().sendFully(ByteBuffer.wrap(wire));
      p.raw().shutdownOutput();
      ByteBuffer sink = ByteBuffer.allocate(1 << 20);
      ProtocolException first =
          assertThrows(
              ProtocolException.class,
              () -> {
                while (p.deflated().receive(sink) >= 0) {
                  sink.clear();
                }
              });
      ProtocolException again =
          assertThrows(ProtocolException.class, () -> p.deflated().receive(sink.clear()));
      assertEquals(first.getMessage(), again.getMessage(), "the input stays failed");
      return first.getMessage().replace(String.valueOf(p.deflated().remoteAddress()), "PEER");
    }
  }

  static byte[] frame(int length, int flags, byte[] block) {
    return ByteBuffer.allocate(5 + block.length)
        .putInt(length)
        .put((byte) flags)
        .put(block)
        .array();
  }

  static byte[] zlib(byte[] plain) {
    Deflater d = new Deflater();
    d.setInput(plain);
    d.finish();
    byte[] out = new byte[plain.length + 64];
    int n = d.deflate(out);
    d.end();
    return Arrays.copyOf(out, n);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aFrameDeclaringMoreThanMaxFrameIsRefusedBeforeAnythingIsAllocated() throws Exception {
    assertEquals(
        PREFIX
            + "frame 1 declares a block of 2147483647 bytes, over the bound of 65536 (setting 'max-frame')",
        refusal(Map.of(), frame(Integer.MAX_VALUE, 1, new byte[0])));
    assertEquals(
        PREFIX
            + "frame 1 declares a block of 4294967295 bytes, over the bound of 65536 (setting 'max-frame')",
        refusal(Map.of(), frame(-1, 1, new byte[0])));
    assertEquals(
        PREFIX
            + "frame 1 declares a block of 1025 bytes, over the bound of 1024 (setting 'max-frame')",
        refusal(Map.of("max-frame", "1024"), frame(1025, 0, new byte[1025])));
  }

  @Test
  void framesAreCountedSoTheMessageNamesTheBadOne() throws Exception {
    byte[] good = frame(3, 0, new byte[] {1, 2, 3});
    assertEquals(
        PREFIX + "frame 3 declares an empty block (expected: 1 to 65536 bytes)",
        refusal(Map.of(), concat(concat(good, good), frame(0, 0, new byte[0]))));
  }

  @Test
  void unknownFlagsAreRefused() throws Exception {
    assertEquals(
        PREFIX + "frame 1 has flags 0x7f (expected: 0x00 stored or 0x01 deflated)",
        refusal(Map.of(), frame(2, 0x7f, new byte[] {1, 2})));
  }

  @Test
  void aBlockThatIsNotZlibIsRefused() throws Exception {
    assertEquals(
        PREFIX + "frame 1 is not a valid zlib stream: incorrect header check",
        refusal(Map.of(), frame(4, 1, "abcd".getBytes(StandardCharsets.US_ASCII))));
  }

  @Test
  void aBlockInflatingBeyondMaxFrameIsRefused() throws Exception {
    byte[] bomb = zlib(new byte[1 << 20]); // a megabyte of zeros packs into about a kilobyte
    assertTrue(bomb.length < 65536);
    assertEquals(
        PREFIX + "frame 1 inflates to more than the bound of 65536 bytes (setting 'max-frame')",
        refusal(Map.of(), frame(bomb.length, 1, bomb)));
  }

  @Test
  void bytesAfterTheZlibStreamAreRefused() throws Exception {
    byte[] block = concat(zlib("hello".getBytes(StandardCharsets.US_ASCII)), new byte[] {9, 9, 9});
    assertEquals(
        PREFIX + "frame 1 has 3 bytes after its zlib stream",
        refusal(Map.of(), frame(block.length, 1, block)));
  }

  @Test
  void aZlibStreamCutShortIsRefused() throws Exception {
    byte[] whole = zlib("hello, hello, hello".getBytes(StandardCharsets.US_ASCII));
    byte[] cut = Arrays.copyOf(whole, whole.length - 3);
    assertEquals(
        PREFIX + "frame 1 ends before its zlib stream does",
        refusal(Map.of(), frame(cut.length, 1, cut)));
  }

  @Test
  void aConnectionEndingInsideAFrameIsRefused() throws Exception {
    assertEquals(
        PREFIX + "the stream from PEER ended inside frame 1 (15 of 105 bytes read)",
        refusal(Map.of(), frame(100, 0, new byte[10])));
    assertEquals(
        PREFIX
            + "the stream from PEER ended inside the header of frame 2 (2 bytes read, at least 3"
            + " more needed)",
        refusal(Map.of(), concat(frame(1, 0, new byte[] {7}), new byte[] {0, 0})));
  }
}
