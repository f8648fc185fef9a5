package dev.protochain.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.internal.RegisteredProviderSource;
import dev.protochain.testkit.internal.Relay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The framing contract for a layer that frames the stream (one built on the api's protocol kit,
 * {@link dev.protochain.api.spi.FramedSocket}, say): extend it in your test sources, name the
 * layer, say how large its frames get and how a peer declares a frame's length, and JUnit 5 runs
 * every check over the in-memory stream base, both ends running the layer with {@link #settings()}.
 *
 * <pre>{@code
 * class GreetFramingTest extends FramingContract {
 *   @Override protected Class<? extends LayeredProvider> layerClass() { return GreetLayer.class; }
 *   @Override protected int maxPayloadPerFrame() { return 65536; }
 *   @Override protected byte[] headerDeclaring(long length) {
 *     return ByteBuffer.allocate(4).putInt((int) length).array();
 *   }
 * }
 * }</pre>
 *
 * <h2>What it checks</h2>
 *
 * <ul>
 *   <li>reads and writes split and merged at random (writes of random sizes, a relay that re-cuts
 *       the stream both ways, reads of random sizes) lose, add and reorder no byte;
 *   <li>a write of exactly {@link #maxPayloadPerFrame()} bytes, and one of a byte more, arrive
 *       whole;
 *   <li>a frame whose header declares more than the maximum (by one byte, and 2 GiB) is refused
 *       with a {@link ProtocolException} naming the size, before its body arrives, the accepting
 *       end allocating less than 1 MiB or four maximum frames;
 *   <li>a stream cut at every byte inside a recorded frame ends in an {@link IOException}, never in
 *       a plain end of stream, after at most a prefix of what the frame carried;
 *   <li>a peer that stalls in the handshake, on either side, is cut off within {@link
 *       #stallBound()} with an {@link IOException};
 *   <li>a fuzzer: {@link #fuzzCases()} streams derived from a recorded one (bits flipped in the
 *       handshake or the frames, random bytes, frames spliced, cut anywhere, delivered in random
 *       pieces) each end, within seconds, in an end of stream or an {@link IOException}, never in a
 *       runtime exception or a hang. It is seeded ({@link #seed()}); every failure names the seed
 *       and the case, and {@code -Dprotochain.fuzz.seed=N} reruns it.
 * </ul>
 *
 * The truncation and fuzz checks replay what a connecting end of the layer sent (its handshake,
 * then frames) from a bare socket into an accepting end, so they hold whatever the handshake
 * exchanges (a random key, a masking key): the accepting end only checks what it receives.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
public abstract class FramingContract {

  private ExecutorService pool;
  private ChainRuntime runtime;
  private Session layered;
  private Session bare;
  private ChainSocket listener;

  /** Creates the contract. */
  protected FramingContract() {}

  /** Returns the layer's class; it carries a {@link dev.protochain.api.spi.ProviderInfo}. */
  protected abstract Class<? extends LayeredProvider> layerClass();

  /** Returns the settings both ends run with. Default: none, so the layer's defaults. */
  protected Map<String, String> settings() {
    return Map.of();
  }

  /** Returns the most application bytes one frame carries with {@link #settings()}. */
  protected abstract int maxPayloadPerFrame();

  /**
   * Returns the start of a frame a connecting peer sends after its handshake, up to and including
   * the field that declares {@code payloadLength} bytes (no byte of the payload): the contract
   * sends it and then stalls.
   */
  protected abstract byte[] headerDeclaring(long payloadLength);

  /**
   * Returns the longest a handshake with a silent peer may take with {@link #settings()}, and so
   * how long the stall check waits. Default: 35 s (the kit's default handshake timeout is 30 s).
   */
  protected Duration stallBound() {
    return Duration.ofSeconds(35);
  }

  /** Returns how many streams the fuzzer sends. Default: 2000. */
  protected int fuzzCases() {
    return 2000;
  }

  /**
   * Returns the fuzzer's seed: {@code -Dprotochain.fuzz.seed=N} if set, else 17, so that a run is
   * reproducible.
   */
  protected long seed() {
    return Long.getLong("protochain.fuzz.seed", 17L);
  }

  /* ---- set up ---- */

  @BeforeEach
  final void startFraming() throws Exception {
    AtomicInteger n = new AtomicInteger();
    pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "framing-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    ProviderDescriptor d = ProviderDescriptor.of(layerClass());
    Catalog catalog =
        Catalog.builtin()
            .installLayer(d.name(), d.id(), settings(), List.of(Transport.MEM_STREAM.entry().id()))
            .checkValid("framing contract");
    runtime =
        ChainRuntime.builder()
            .name("framing")
            .catalog(catalog)
            .source(
                new RegisteredProviderSource("framing contract")
                    .register(d, () -> layerClass().getConstructor().newInstance()))
            .shutdownHook(false)
            .drainTimeout(Duration.ofSeconds(10))
            .build();
    layered = runtime.startup(d.name() + "-" + Transport.MEM_STREAM.entryName());
    bare = runtime.startup(Transport.MEM_STREAM.entryName());
    listener = layered.open();
    listener.bind(null);
    listener.listen(16);
  }

  @AfterEach
  final void stopFraming() throws Exception {
    try {
      listener.close();
      layered.close();
      bare.close();
      runtime.close();
    } finally {
      pool.shutdownNow();
    }
  }

  /* ---- split and merged ---- */

  @Test
  void readsAndWritesSplitAndMergedAtRandomLoseNoByte() throws Exception {
    for (int round = 0; round < 4; round++) {
      long seed = seed() + round;
      Random r = new Random(seed);
      byte[] payload = payload(r, 3 * maxPayloadPerFrame() + r.nextInt(20_000));
      Future<Object> echo = pool.submit(() -> echo(r.nextLong()));
      try (Relay relay = new Relay(pool, bare, listener.localAddress(), seed);
          ChainSocket client = layered.open()) {
        client.connect(relay.address());
        client.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(20));
        Random w = new Random(seed * 31);
        Future<Object> writing =
            pool.submit(
                () -> {
                  for (int at = 0; at < payload.length; ) {
                    int n = Math.min(payload.length - at, 1 + w.nextInt(2 * maxPayloadPerFrame()));
                    client.sendFully(ByteBuffer.wrap(payload, at, n));
                    if (w.nextInt(4) == 0) {
                      client.flush();
                    }
                    at += n;
                  }
                  client.flush();
                  return null;
                });
        ByteBuffer back = ByteBuffer.allocate(payload.length);
        Random rd = new Random(~seed);
        while (back.hasRemaining()) {
          ByteBuffer piece = back.slice();
          piece.limit(Math.min(piece.remaining(), 1 + rd.nextInt(3000)));
          int got = client.receive(piece);
          if (got < 0) {
            fail("seed " + seed + ": the stream ended after " + back.position() + " bytes");
          }
          back.position(back.position() + got);
        }
        writing.get(20, TimeUnit.SECONDS);
        assertArrayEquals(payload, back.array(), "seed " + seed + ": the echo differs");
      }
      echo.get(20, TimeUnit.SECONDS);
    }
  }

  /** Accepts one connection and echoes it in reads and writes of random sizes. */
  private Object echo(long seed) throws IOException {
    Random r = new Random(seed);
    try (ChainSocket s = listener.accept()) {
      s.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(20));
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      while (true) {
        buf.clear().limit(1 + r.nextInt(buf.capacity()));
        if (s.receive(buf) < 0) {
          return null;
        }
        buf.flip();
        while (buf.hasRemaining()) {
          ByteBuffer piece = buf.slice();
          piece.limit(Math.min(piece.remaining(), 1 + r.nextInt(5000)));
          s.sendFully(piece);
          buf.position(buf.position() + piece.position());
        }
        s.flush();
      }
    } catch (IOException closedByTheClient) {
      return null; // the client closes once it has everything back
    }
  }

  /* ---- the maximum ---- */

  @Test
  void writesOfTheMaximumPayloadAndOneByteMoreArriveWhole() throws Exception {
    Random r = new Random(seed());
    byte[] max = payload(r, maxPayloadPerFrame());
    byte[] more = payload(r, maxPayloadPerFrame() + 1);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    Future<Outcome> server = pool.submit(() -> serve(got, 4096));
    try (ChainSocket client = layered.open()) {
      client.connect(listener.localAddress());
      client.sendFully(ByteBuffer.wrap(max));
      client.sendFully(ByteBuffer.wrap(more));
      client.flush();
      awaitSize(got, max.length + more.length);
    }
    Outcome o = server.get(20, TimeUnit.SECONDS);
    assertArrayEquals(concat(max, more), o.data(), "both writes, whole, in order");
  }

  @Test
  void aFrameDeclaringMoreThanTheMaximumIsRefusedBeforeItsBodyArrives() throws Exception {
    Recording rec = record(new byte[] {1, 2, 3});
    for (long declared : new long[] {maxPayloadPerFrame() + 1L, 1L << 31}) {
      byte[] header = headerDeclaring(declared);
      Outcome o = replay(concat(rec.handshake(), header), false, null);
      String what = "a header declaring " + declared + " bytes";
      assertInstanceOf(ProtocolException.class, o.end(), what + " is refused: " + o);
      String m = o.end().getMessage();
      assertTrue(
          m.contains(String.valueOf(declared))
              || m.contains(String.valueOf(declared + header.length)),
          what + ": the message names the size: " + m);
      assertEquals(0, o.data().length, what + " delivers nothing");
      long bound = Math.max(1 << 20, 4L * maxPayloadPerFrame());
      assertTrue(
          o.allocated() < bound,
          what + ": the accepting end allocated " + o.allocated() + " bytes (bound " + bound + ")");
    }
  }

  /* ---- truncation ---- */

  @Test
  void aStreamCutAtEveryByteOfAFrameEndsInAnErrorNotAnEnd() throws Exception {
    byte[] payload = payload(new Random(seed()), Math.min(100, maxPayloadPerFrame()));
    Recording rec = record(payload);
    byte[] frame = rec.frames();
    assertTrue(
        frame.length > 0, "the connecting end sent a frame for " + payload.length + " bytes");
    for (int cut = 1; cut < frame.length; cut++) {
      Outcome o = replay(concat(rec.handshake(), Arrays.copyOf(frame, cut)), true, null);
      String at = "cut after " + cut + " of " + frame.length + " bytes: ";
      assertInstanceOf(IOException.class, o.end(), at + "an error, not an end of stream: " + o);
      assertTrue(o.data().length <= payload.length, at + o);
      assertArrayEquals(
          Arrays.copyOf(payload, o.data().length),
          o.data(),
          at + "at most a prefix of the payload");
    }
    Outcome whole = replay(concat(rec.handshake(), frame), true, null);
    assertArrayEquals(payload, whole.data(), "the whole frame: " + whole);
  }

  /* ---- stalls ---- */

  @Test
  void aPeerThatStallsInTheHandshakeIsCutOffWithinTheBound() throws Exception {
    long bound = stallBound().toMillis() + 5_000;
    // Accepting side: a bare client that connects and sends nothing.
    Future<Outcome> accepting =
        pool.submit(() -> serve(new ByteArrayOutputStream(), 4096, stallBound()));
    ChainSocket silentClient = bare.open();
    silentClient.connect(listener.localAddress());
    // Connecting side: a bare server that accepts and answers nothing.
    ChainSocket silentListener = bare.open();
    silentListener.bind(null);
    silentListener.listen(1);
    Future<ChainSocket> silentServer = pool.submit(silentListener::accept);
    try (ChainSocket client = layered.open()) {
      long start = System.nanoTime();
      Throwable connect = null;
      try {
        client.connect(silentListener.localAddress());
      } catch (IOException e) {
        connect = e;
      }
      long took = (System.nanoTime() - start) / 1_000_000;
      assertTrue(took < bound, "connect to a silent peer took " + took + " ms");
      if (connect != null) {
        assertFalse(client.isOpen(), "a failed handshake closes the socket: " + connect);
      } else { // no handshake waits for the peer: a receive still ends at its timeout
        client.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(300));
        try {
          client.receive(ByteBuffer.allocate(16));
          fail("a receive from a silent peer returned");
        } catch (SocketTimeoutException expected) {
          // the receive ended at its timeout
        }
      }
      Outcome o = accepting.get(bound, TimeUnit.MILLISECONDS);
      assertInstanceOf(IOException.class, o.end(), "the accepting side: " + o);
      assertEquals(0, o.data().length);
    } finally {
      silentClient.close();
      silentListener.close();
      silentServer.cancel(true);
    }
  }

  /* ---- the fuzzer ---- */

  @Test
  void whateverAPeerSendsEndsInAnEndOfStreamOrAnIOException() throws Exception {
    long seed = seed();
    Random setup = new Random(seed);
    Recording rec =
        record(payload(setup, 1 + setup.nextInt(200)), payload(setup, 1 + setup.nextInt(2000)));
    int[] modes = new int[5];
    for (int i = 0; i < fuzzCases(); i++) {
      Random r = new Random(seed * 1_000_003L + i);
      int mode = r.nextInt(5);
      modes[mode]++;
      byte[] wire = mutate(rec, mode, r);
      String name =
          "seed "
              + seed
              + ", case "
              + i
              + " (mode "
              + mode
              + ", "
              + wire.length
              + " bytes; rerun"
              + " with -Dprotochain.fuzz.seed="
              + seed
              + ")";
      Outcome o;
      try {
        o = replay(wire, true, r);
      } catch (TimeoutException e) {
        throw new AssertionError(name + ": no end within 20 s", e);
      }
      if (o.end() != null && !(o.end() instanceof IOException)) {
        throw new AssertionError(name + ": ended in " + o.end(), o.end());
      }
    }
    System.out.printf(
        "framing fuzz of %s: %d cases, seed %d, by mode %s%n",
        layerClass().getSimpleName(), fuzzCases(), seed, Arrays.toString(modes));
  }

  private static byte[] mutate(Recording rec, int mode, Random r) {
    byte[] frames = rec.frames();
    switch (mode) {
      case 0 -> { // bits flipped in the frames
        byte[] f = frames.clone();
        for (int k = 1 + r.nextInt(4); k > 0 && f.length > 0; k--) {
          f[r.nextInt(f.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return concat(rec.handshake(), f);
      }
      case 1 -> { // random bytes after the handshake
        return concat(rec.handshake(), payload(r, r.nextInt(300)));
      }
      case 2 -> { // bits flipped in the handshake
        byte[] h = rec.handshake().clone();
        for (int k = 1 + r.nextInt(3); k > 0 && h.length > 0; k--) {
          h[r.nextInt(h.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return concat(h, frames);
      }
      case 3 -> { // slices of the frames spliced together
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(rec.handshake());
        for (int k = r.nextInt(4); k >= 0 && frames.length > 0; k--) {
          int from = r.nextInt(frames.length);
          out.write(frames, from, r.nextInt(frames.length - from + 1));
        }
        return out.toByteArray();
      }
      default -> { // the whole stream cut anywhere
        byte[] all = concat(rec.handshake(), frames);
        return Arrays.copyOf(all, r.nextInt(all.length + 1));
      }
    }
  }

  /* ---- recording and replaying ---- */

  /** What a connecting end sent: its handshake, then the frames of the payloads. */
  private record Recording(byte[] handshake, byte[] frames) {}

  /** What an accepting end received before its stream ended ({@code end} null) or failed. */
  private record Outcome(byte[] data, Throwable end, long allocated) {
    @Override
    public String toString() {
      return data.length
          + " bytes, then "
          + (end == null ? "the end of stream" : end.toString())
          + " ("
          + allocated
          + " bytes allocated)";
    }
  }

  /** Connects an end of the layer through a relay that records, and sends {@code payloads}. */
  private Recording record(byte[]... payloads) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    Future<Outcome> server = pool.submit(() -> serve(got, 4096));
    int handshake;
    byte[] all;
    try (Relay relay = new Relay(pool, bare, listener.localAddress(), null);
        ChainSocket client = layered.open()) {
      client.connect(relay.address());
      handshake = relay.quietToServer();
      int total = 0;
      for (byte[] p : payloads) {
        client.sendFully(ByteBuffer.wrap(p));
        client.flush();
        total += p.length;
        awaitSize(got, total);
      }
      relay.quietToServer();
      all = relay.toServer();
    }
    server.get(20, TimeUnit.SECONDS);
    assertArrayEquals(concat(payloads), got.toByteArray(), "the recorded connection carried");
    return new Recording(
        Arrays.copyOf(all, handshake), Arrays.copyOfRange(all, handshake, all.length));
  }

  /**
   * Sends {@code wire} from a bare socket into an accepting end of the layer, in pieces cut by
   * {@code r} (whole if null), then ends the stream if {@code eof}; returns what the end received.
   */
  private Outcome replay(byte[] wire, boolean eof, Random r) throws Exception {
    Future<Outcome> server =
        pool.submit(
            () -> serve(new ByteArrayOutputStream(), r == null ? 4096 : 1 + r.nextInt(300)));
    try (ChainSocket raw = bare.open()) {
      raw.connect(listener.localAddress());
      var unused = pool.submit(() -> drain(raw)); // drain ends with the connection
      try {
        for (int at = 0; at < wire.length; ) {
          int n = r == null ? wire.length - at : Math.min(wire.length - at, 1 + r.nextInt(64));
          raw.sendFully(ByteBuffer.wrap(wire, at, n));
          at += n;
        }
        if (eof) {
          raw.shutdownOutput();
        }
      } catch (IOException refusedEarly) {
        // the accepting end failed and closed before it had all: its outcome says why
      }
      return server.get(20, TimeUnit.SECONDS);
    }
  }

  private Outcome serve(ByteArrayOutputStream got, int readSize) {
    return serve(got, readSize, Duration.ofSeconds(10));
  }

  /** Accepts one connection and reads it to its end or failure. */
  private Outcome serve(ByteArrayOutputStream got, int readSize, Duration timeout) {
    long start = allocated();
    ChainSocket s;
    try {
      s = listener.accept();
    } catch (IOException | RuntimeException e) {
      return new Outcome(new byte[0], e, allocated() - start);
    }
    try (s) {
      s.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, timeout);
      ByteBuffer buf = ByteBuffer.allocate(readSize);
      while (s.receive(buf.clear()) >= 0) {
        got.write(buf.array(), 0, buf.position());
      }
      return new Outcome(got.toByteArray(), null, allocated() - start);
    } catch (IOException | RuntimeException | Error e) {
      return new Outcome(got.toByteArray(), e, allocated() - start);
    }
  }

  /** Returns the bytes the calling thread allocated so far, or 0 where the JVM does not say. */
  private static long allocated() {
    return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        ? t.getThreadAllocatedBytes(Thread.currentThread().getId())
        : 0;
  }

  private static Void drain(ChainSocket raw) {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    try {
      while (raw.receive(buf.clear()) >= 0) {
        // what the accepting end answers is not checked here
      }
    } catch (IOException closed) {
      // the replay closed it
    }
    return null;
  }

  private static void awaitSize(ByteArrayOutputStream got, int size) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (got.size() < size && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertEquals(size, got.size(), "bytes that arrived at the accepting end");
  }

  /** Returns random bytes, half of them runs of a repeated byte, so compressors get both. */
  private static byte[] payload(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    for (int at = 0; at < n; at += 64) {
      if (r.nextBoolean()) {
        Arrays.fill(b, at, Math.min(n, at + 64), (byte) at);
      }
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
