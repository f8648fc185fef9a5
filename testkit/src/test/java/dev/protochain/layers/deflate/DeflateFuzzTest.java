package dev.protochain.layers.deflate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.testing.Bounded;
import dev.protochain.runtime.testing.Peer;
import dev.protochain.runtime.testing.PropertyTimeout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the bytes a peer sends to a {@code deflate} socket: valid frame sequences mutated (bits
 * flipped, cut, bytes inserted or repeated, length fields forged to 0, to just over the bound or to
 * 2 GiB), random bytes, and headers declaring huge blocks. A raw {@code mem-stream} socket in the
 * same runtime plays the peer. Each case must deliver exactly the bytes of the valid frames before
 * the first bad one (all of them at a clean end of stream), then fail with a {@link
 * ProtocolException} naming the layer; within a bounded time, with no thread left behind, and
 * allocating no more than a small multiple of {@code max-frame} (256 here) whatever length a header
 * declares, as the JVM's own per-thread allocation counter shows.
 */
@PropertyTimeout(seconds = 120)
class DeflateFuzzTest {

  static final int MAX_FRAME = 256;

  /**
   * What one case may allocate in the receiving thread: buffers of a few max-frames, exceptions,
   * messages, and what each receive call costs (up to some thousand calls of one byte). A block of
   * a declared length is 16 MiB or more in the cases that forge one.
   */
  static final long ALLOCATION_BOUND = 1 << 20;

  static final String PREFIX = "layer 'deflate' (entry 2001): ";

  static ChainRuntime runtime;
  static Session layered;
  static Session bare;
  static ChainSocket listener;
  static final AtomicLong CASES = new AtomicLong();
  static final AtomicLong MOST_ALLOCATED = new AtomicLong();
  static final AtomicLong LARGEST_DECLARED = new AtomicLong();
  static final Map<String, LongAdder> OUTCOMES = new ConcurrentHashMap<>();

  @BeforeContainer
  static void start() throws IOException {
    ProviderDescriptor d = ProviderDescriptor.of(DeflateLayer.class);
    Catalog catalog =
        Catalog.builtin()
            .installLayer(
                "deflate",
                d.id(),
                Map.of("max-frame", String.valueOf(MAX_FRAME), "delay", "0"),
                List.of(1005))
            .checkValid("fuzz");
    runtime =
        ChainRuntime.builder()
            .name("deflate-fuzz")
            .catalog(catalog)
            .shutdownHook(false)
            .drainTimeout(Duration.ofSeconds(5))
            .build();
    layered = runtime.startup("deflate-mem-stream");
    bare = runtime.startup("mem-stream");
    listener = bare.open();
    listener.bind(null);
    listener.listen(16);
  }

  @AfterContainer
  static void stop() throws IOException {
    listener.close();
    layered.close();
    bare.close();
    runtime.close();
    System.out.printf(
        "deflate fuzz: %d cases; outcomes %s; at most %d bytes allocated by a receiving case "
            + "(bound %d, max-frame %d) while headers declared up to %d bytes%n",
        CASES.get(),
        new TreeMap<>(OUTCOMES),
        MOST_ALLOCATED.get(),
        ALLOCATION_BOUND,
        MAX_FRAME,
        LARGEST_DECLARED.get());
    assertEquals(Map.of(1005, 0, 2001, 0), runtime.counts());
  }

  /* ---- the properties ---- */

  @Property(tries = 2_000, generation = GenerationMode.RANDOMIZED)
  void whateverAPeerSendsEndsInItsValidFramesThenAProtocolException(
      @ForAll("wire") byte[] wire, @ForAll("readSizes") int readSize) throws Exception {
    check(wire, readSize);
  }

  @Property(tries = 50_000, generation = GenerationMode.RANDOMIZED)
  @Tag("soak")
  @PropertyTimeout(seconds = 1200)
  void manyMoreWires(@ForAll("wire") byte[] wire, @ForAll("readSizes") int readSize)
      throws Exception {
    check(wire, readSize);
  }

  static void check(byte[] wire, int readSize) throws Exception {
    Expected expected = expected(wire);
    ChainSocket deflated = layered.open();
    deflated.connect(listener.localAddress());
    ChainSocket raw = listener.accept();
    deflated.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(10));
    Thread writer = Peer.write(raw, wire, false);
    try {
      String outcome =
          Bounded.call(
              Duration.ofSeconds(15),
              "receiving fuzzed frames",
              () -> {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(readSize);
                long before = Peer.allocated();
                String result;
                try {
                  while (deflated.receive(buf.clear()) >= 0) {
                    got.write(buf.array(), 0, buf.position());
                  }
                  result = "end of stream";
                } catch (ProtocolException e) {
                  assertTrue(
                      e.getMessage().startsWith(PREFIX),
                      () -> "names the layer: " + e.getMessage());
                  result = "ProtocolException";
                }
                long allocated =
                    Peer.allocated() - before - got.size() * 2L; // what the test itself copied out
                MOST_ALLOCATED.accumulateAndGet(allocated, Math::max);
                assertTrue(allocated < ALLOCATION_BOUND, "allocated " + allocated + " bytes");
                assertArrayEquals(
                    expected.plain(),
                    got.toByteArray(),
                    "the bytes of the valid frames before the first bad one");
                assertEquals(expected.valid() ? "end of stream" : "ProtocolException", result);
                return result;
              });
      OUTCOMES.computeIfAbsent(outcome, k -> new LongAdder()).increment();
      CASES.incrementAndGet();
    } finally {
      deflated.close();
      raw.close();
    }
    assertEquals(List.of(), Peer.join(5_000, writer), "threads left behind");
  }

  /* ---- the oracle: the frame format of DeflateLayer, read independently ---- */

  record Expected(byte[] plain, boolean valid) {}

  static Expected expected(byte[] wire) {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    ByteBuffer in = ByteBuffer.wrap(wire);
    while (in.hasRemaining()) {
      if (in.remaining() < 5) {
        return new Expected(plain.toByteArray(), false);
      }
      long length = Integer.toUnsignedLong(in.getInt());
      int flags = in.get() & 0xff;
      LARGEST_DECLARED.accumulateAndGet(length, Math::max);
      if (length == 0 || length > MAX_FRAME || flags > 1 || in.remaining() < length) {
        return new Expected(plain.toByteArray(), false);
      }
      byte[] block = new byte[(int) length];
      in.get(block);
      if (flags == 0) {
        plain.writeBytes(block);
        continue;
      }
      Inflater inflater = new Inflater();
      try {
        inflater.setInput(block);
        byte[] out = new byte[MAX_FRAME + 1];
        int n = inflater.inflate(out);
        if (!inflater.finished() || inflater.getRemaining() > 0 || n == 0 || n > MAX_FRAME) {
          return new Expected(plain.toByteArray(), false);
        }
        plain.write(out, 0, n);
      } catch (DataFormatException e) {
        return new Expected(plain.toByteArray(), false);
      } finally {
        inflater.end();
      }
    }
    return new Expected(plain.toByteArray(), true);
  }

  /* ---- generation ---- */

  @Provide
  Arbitrary<Integer> readSizes() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.just(4096)), Tuple.of(1, Arbitraries.integers().between(1, 300)));
  }

  @Provide
  Arbitrary<byte[]> wire() {
    Arbitrary<byte[]> chunk =
        Combinators.combine(
                Arbitraries.integers().between(1, MAX_FRAME),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers())
            .as(
                (size, kind, seed) -> {
                  byte[] b = new byte[size];
                  java.util.Random r = new java.util.Random(seed);
                  for (int i = 0; i < size; i++) {
                    b[i] =
                        (byte)
                            (kind == 0
                                ? r.nextInt()
                                : kind == 1 ? 'a' + r.nextInt(3) : kind == 2 ? 0 : i);
                  }
                  return b;
                });
    Arbitrary<byte[]> frames =
        chunk
            .list()
            .ofMaxSize(6)
            .map(
                chunks ->
                    chunks.stream().map(DeflateFuzzTest::frame).reduce(new byte[0], Peer::concat));
    Arbitrary<Peer.Mutation> mutation =
        Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 4096),
                Arbitraries.integers().between(1, 40),
                Arbitraries.integers())
            .as(Peer.Mutation::new);
    Arbitrary<byte[]> mutated =
        Combinators.combine(frames, mutation.list().ofMaxSize(3)).as(Peer::mutate);
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(700);
    Arbitrary<byte[]> huge =
        Combinators.combine(
                frames,
                Arbitraries.longs().between(1L << 24, 0xFFFF_FFFFL),
                Arbitraries.integers().between(0, 255),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
            .as(
                (before, length, flags, tail) ->
                    Peer.concat(
                        before,
                        Peer.concat(
                            ByteBuffer.allocate(5)
                                .putInt((int) (long) length)
                                .put((byte) (int) flags)
                                .array(),
                            tail)));
    return Arbitraries.frequencyOf(
        Tuple.of(2, frames), Tuple.of(6, mutated), Tuple.of(1, random), Tuple.of(2, huge));
  }

  /**
   * Returns the frame the layer would write for {@code plain}: deflated if that is shorter, else
   * stored.
   */
  static byte[] frame(byte[] plain) {
    Deflater deflater = new Deflater();
    deflater.setInput(plain);
    deflater.finish();
    byte[] packed = new byte[MAX_FRAME];
    int n = deflater.deflate(packed);
    boolean shrinks = deflater.finished() && n < plain.length;
    deflater.end();
    byte[] block = shrinks ? Arrays.copyOf(packed, n) : plain;
    return ByteBuffer.allocate(5 + block.length)
        .putInt(block.length)
        .put((byte) (shrinks ? 1 : 0))
        .put(block)
        .array();
  }
}
