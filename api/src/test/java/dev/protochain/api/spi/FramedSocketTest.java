package dev.protochain.api.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.spi.HandshakeException.Reason;
import dev.protochain.api.spi.HandshakeException.Side;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kit over an in-memory pipe: a length-prefixed framing with a greeting, where a length with
 * the top bit set is a ping the receive side answers with a pong, and length 0 closes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FramedSocketTest {

  static final String D = "layer 'greet' (entry 2001)";
  static final int MAX = 4 + 100;
  static final int PING = 0x80000000;

  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** The framed socket under test. */
  static class Greet extends FramedSocket {
    String version = "1";
    Duration timeout = Duration.ofSeconds(5);
    int pongs;

    Greet(ChainSocket below) {
      super(below, D);
    }

    @Override
    protected HandshakeSocket newAccepted(ChainSocket acceptedBelow) {
      return new Greet(acceptedBelow);
    }

    @Override
    protected Duration handshakeTimeout() {
      return timeout;
    }

    @Override
    protected void connecting(Exchange ex) throws IOException {
      ex.step("the greeting");
      ex.send("HELLO " + version + "\r\n");
      expect(ex);
    }

    @Override
    protected void accepting(Exchange ex) throws IOException {
      ex.step("the greeting");
      expect(ex);
      ex.send("HELLO " + version + "\r\n");
    }

    private void expect(Exchange ex) throws IOException {
      String line = ex.readUntil("\r\n", 32);
      if (!line.equals("HELLO " + version)) {
        throw ex.refused("expected HELLO " + version);
      }
    }

    @Override
    protected int maxFrameLength() {
      return MAX;
    }

    @Override
    protected long frameLength(ByteBuffer in) {
      if (in.remaining() < 4) {
        return -(4 - in.remaining());
      }
      int n = in.getInt(in.position());
      return n == PING ? 4 : 4L + (n & 0xffffffffL);
    }

    @Override
    protected ByteBuffer decode(ByteBuffer frame) throws IOException {
      int n = frame.getInt(frame.position());
      if (n == PING) {
        pongs++;
        sendFrame(ByteBuffer.allocate(4).putInt(PING + 1).flip());
        return frame.position(frame.limit()); // empty: nothing for the application
      }
      if (n == 0) {
        return null;
      }
      return frame.position(frame.position() + 4);
    }

    @Override
    protected void encode(ByteBuffer src, ByteBuffer out) {
      int n = Math.min(src.remaining(), out.remaining() - 4);
      out.putInt(n).put(src.slice().limit(n));
      src.position(src.position() + n);
    }
  }

  static byte[] frame(byte[] payload) {
    return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }

  /** A Greet whose handshake already ran against a peer that sent {@code wire} in one chunk. */
  Greet connectedTo(Pipe raw, byte[] wire) throws IOException {
    Pipe[] p = rawPair(raw);
    p[0].arrive(concat(ascii("HELLO 1\r\n"), wire));
    Greet g = new Greet(p[0]);
    g.connect(new InetSocketAddress("127.0.0.1", 1));
    return g;
  }

  Pipe[] pairs;

  Pipe[] rawPair(Pipe unused) {
    pairs = Pipe.pair();
    return pairs;
  }

  static byte[] readAll(ChainSocket s, int bufferSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocate(bufferSize);
    while (s.receive(b.clear()) >= 0) {
      out.write(b.array(), 0, b.position());
    }
    return out.toByteArray();
  }

  /* ---- framing ---- */

  @Test
  void bytesAfterTheGreetingInTheSameReadAreTheStartOfTheFramedStream() throws Exception {
    Greet g = connectedTo(null, concat(frame(ascii("abc")), frame(ascii("de"))));
    pairs[0].arriveEnd();
    assertArrayEquals(ascii("abcde"), readAll(g, 64));
    assertEquals(2, g.framesReceived());
    assertEquals("HELLO 1\r\n", pairs[0].sent.toString(StandardCharsets.ISO_8859_1));
  }

  @Test
  void framesSplitAndMergedAtRandomArriveWhole() throws Exception {
    for (long seed = 0; seed < 50; seed++) {
      Random r = new Random(seed);
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      for (int i = 0; i < 30; i++) {
        byte[] payload = new byte[1 + r.nextInt(100)];
        r.nextBytes(payload);
        wire.writeBytes(frame(payload));
        expected.writeBytes(payload);
      }
      Pipe[] p = Pipe.pair();
      p[0].arrive(ascii("HELLO 1\r\n"));
      Greet g = new Greet(p[0]);
      g.connect(new InetSocketAddress("127.0.0.1", 1));
      byte[] w = wire.toByteArray();
      for (int at = 0; at < w.length; ) {
        int n = Math.min(w.length - at, 1 + r.nextInt(300));
        p[0].arrive(Arrays.copyOfRange(w, at, at + n));
        at += n;
      }
      p[0].arriveEnd();
      assertArrayEquals(expected.toByteArray(), readAll(g, 1 + r.nextInt(50)), "seed " + seed);
    }
  }

  @Test
  void aFrameOverTheMaximumIsRefusedNamingThePeerAndTheSizeAndTheInputStaysFailed()
      throws Exception {
    Greet g = connectedTo(null, concat(frame(ascii("ok")), new byte[] {0, 0, 0, 101}));
    assertEquals(2, g.receive(ByteBuffer.allocate(10)));
    String expected =
        D + ": frame 2 from /127.0.0.1:40002 declares 105 bytes, over the maximum of 104";
    assertEquals(
        expected,
        assertThrows(ProtocolException.class, () -> g.receive(ByteBuffer.allocate(10)))
            .getMessage());
    assertEquals(
        expected,
        assertThrows(ProtocolException.class, () -> g.receive(ByteBuffer.allocate(10)))
            .getMessage());
  }

  @Test
  void aFrameOfExactlyTheMaximumPasses() throws Exception {
    byte[] payload = new byte[100];
    new Random(1).nextBytes(payload);
    Greet g = connectedTo(null, frame(payload));
    pairs[0].arriveEnd();
    assertArrayEquals(payload, readAll(g, 7));
  }

  @Test
  void theStreamEndingAtEveryByteOfAFrameIsRefused() throws Exception {
    byte[] f = frame(ascii("hello"));
    for (int cut = 1; cut < f.length; cut++) {
      Greet g = connectedTo(null, Arrays.copyOf(f, cut));
      pairs[0].arriveEnd();
      String m =
          assertThrows(ProtocolException.class, () -> readAll(g, 64), "cut at " + cut).getMessage();
      String where =
          cut < 4
              ? "the header of frame 1 (" + cut + " bytes read, at least " + (4 - cut) + " more"
              : "frame 1 (" + cut + " of 9 bytes read)";
      assertTrue(m.startsWith(D + ": the stream from /127.0.0.1:40002 ended inside " + where), m);
    }
  }

  @Test
  void aTimeoutInsideAFrameKeepsItAndTheNextReceiveResumes() throws Exception {
    byte[] f = frame(ascii("hello"));
    Greet g = connectedTo(null, Arrays.copyOf(f, 6));
    g.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(50));
    assertThrows(SocketTimeoutException.class, () -> g.receive(ByteBuffer.allocate(64)));
    pairs[0].arrive(Arrays.copyOfRange(f, 6, f.length));
    pairs[0].arriveEnd();
    assertArrayEquals(ascii("hello"), readAll(g, 64));
  }

  @Test
  void aPingIsAnsweredFromTheReceivePathAndACloseFrameEndsTheInput() throws Exception {
    byte[] ping = ByteBuffer.allocate(4).putInt(PING).array();
    Greet g = connectedTo(null, concat(ping, frame(ascii("x")), ping, frame(new byte[0])));
    pairs[0].arrive(frame(ascii("after the close: ignored")));
    assertArrayEquals(ascii("x"), readAll(g, 64));
    assertEquals(2, g.pongs);
    byte[] pong = ByteBuffer.allocate(4).putInt(PING + 1).array();
    assertArrayEquals(concat(ascii("HELLO 1\r\n"), pong, pong), pairs[0].sent.toByteArray());
  }

  @Test
  void sendsAreFramedWholeAndBigWritesSplitAtTheMaximum() throws Exception {
    Greet g = connectedTo(null, new byte[0]);
    byte[] data = new byte[250];
    new Random(2).nextBytes(data);
    g.sendFully(ByteBuffer.wrap(data));
    byte[] wire = pairs[0].sent.toByteArray();
    byte[] expected =
        concat(
            ascii("HELLO 1\r\n"),
            frame(Arrays.copyOfRange(data, 0, 100)),
            frame(Arrays.copyOfRange(data, 100, 200)),
            frame(Arrays.copyOfRange(data, 200, 250)));
    assertArrayEquals(expected, wire);
  }

  /* ---- handshakes ---- */

  @Test
  void bothSidesGreetThenEchoThroughAnAcceptedSocket() throws Exception {
    Pipe[] p = Pipe.pair();
    Pipe listener = Pipe.pair()[0].acceptReturns(p[1]);
    Greet server = new Greet(listener);
    Future<ChainSocket> accepted = pool.submit(server::accept);
    Greet client = new Greet(p[0]);
    client.connect(new InetSocketAddress("127.0.0.1", 1));
    ChainSocket s = accepted.get(5, TimeUnit.SECONDS);
    assertTrue(s instanceof Greet);
    client.sendFully(ByteBuffer.wrap(ascii("ping over frames")));
    client.shutdownOutput();
    assertArrayEquals(ascii("ping over frames"), readAll(s, 3));
  }

  @Test
  void aPeerThatStallsInTheHandshakeFailsItAtTheDeadlineAndTheSocketIsClosed() throws Exception {
    Pipe[] p = Pipe.pair();
    p[0].arrive(ascii("HEL"));
    Greet g = new Greet(p[0]);
    g.timeout = Duration.ofMillis(200);
    long start = System.nanoTime();
    HandshakeException e =
        assertThrows(
            HandshakeException.class, () -> g.connect(new InetSocketAddress("127.0.0.1", 1)));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis >= 150 && millis < 3000, millis + " ms");
    assertEquals(Side.CONNECTING, e.side());
    assertEquals("the greeting", e.step());
    assertEquals(Reason.TIMED_OUT, e.reason());
    assertEquals(
        D
            + ": the connecting handshake with /127.0.0.1:40002 failed at the greeting: no answer"
            + " within 200ms (the handshake's deadline); the peer sent 3 bytes \"HEL\"",
        e.getMessage());
    assertFalse(p[0].isOpen(), "a failed handshake closes the socket below");
  }

  @Test
  void aWrongGreetingSaysWhichSideWhichStepAndWhatThePeerSent() throws Exception {
    Pipe[] p = Pipe.pair();
    Pipe listener = Pipe.pair()[0].acceptReturns(p[1]);
    p[1].arrive(ascii("HELLO 9\r\n\u0001"));
    HandshakeException e =
        assertThrows(HandshakeException.class, () -> new Greet(listener).accept());
    assertEquals(
        D
            + ": the accepting handshake with /127.0.0.1:40001 failed at the greeting: expected"
            + " HELLO 1; the peer sent 10 bytes \"HELLO 9\\r\\n\\x01\"",
        e.getMessage());
    assertEquals(Reason.REFUSED, e.reason());
    assertFalse(p[1].isOpen());
  }

  @Test
  void aPeerClosingInTheHandshakeOrSendingTooMuchFailsIt() throws Exception {
    Pipe[] p = Pipe.pair();
    p[0].arrive(ascii("HELLO"));
    p[0].arriveEnd();
    HandshakeException closed =
        assertThrows(
            HandshakeException.class,
            () -> new Greet(p[0]).connect(new InetSocketAddress("127.0.0.1", 1)));
    assertEquals(Reason.PEER_CLOSED, closed.reason());
    assertTrue(
        closed.getMessage().contains("the stream ended after 5 of 6 bytes"), closed.getMessage());

    Pipe[] q = Pipe.pair();
    q[0].arrive(new byte[40]);
    HandshakeException tooLong =
        assertThrows(
            HandshakeException.class,
            () -> new Greet(q[0]).connect(new InetSocketAddress("127.0.0.1", 1)));
    assertEquals(Reason.MALFORMED, tooLong.reason());
    assertTrue(
        tooLong.getMessage().contains("no \"\\r\\n\" within 32 bytes (the most allowed)"),
        tooLong.getMessage());
  }

  @Test
  void readUntilFindsADelimiterCutAcrossReads() throws Exception {
    Pipe[] p = Pipe.pair();
    p[0].arrive(ascii("HELLO 1\r"));
    p[0].arrive(ascii("\nabc"));
    HandshakeSocket plain =
        new HandshakeSocket(p[0], D) {
          @Override
          protected HandshakeSocket newAccepted(ChainSocket acceptedBelow) {
            throw new AssertionError();
          }

          @Override
          protected void connecting(Exchange ex) throws IOException {
            assertEquals("HELLO 1", ex.readUntil("\r\n", 16));
            assertEquals(3, ex.buffered(), "abc, after the delimiter");
          }
        };
    plain.connect(new InetSocketAddress("127.0.0.1", 1));
    p[0].arrive(ascii("def"));
    p[0].arriveEnd();
    assertArrayEquals(
        ascii("abcdef"), readAll(plain, 2), "what followed the handshake, then the rest");
  }

  @Test
  void aDeferredAcceptingHandshakeRunsAtFirstUseAndResumesAfterTheApplicationsTimeout()
      throws Exception {
    Pipe[] p = Pipe.pair();
    Pipe listener = Pipe.pair()[0].acceptReturns(p[1]);
    Greet server =
        new Greet(listener) {
          @Override
          protected HandshakeSocket newAccepted(ChainSocket acceptedBelow) {
            return new Greet(acceptedBelow) {
              @Override
              protected boolean handshakeOnFirstUse() {
                return true;
              }
            };
          }
        };
    ChainSocket s = server.accept(); // returns at once: nothing arrived yet
    s.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(50));
    p[1].arrive(ascii("HELL"));
    assertThrows(SocketTimeoutException.class, () -> s.receive(ByteBuffer.allocate(8)));
    assertTrue(p[1].isOpen(), "a timeout of the application's own loses nothing");
    p[1].arrive(concat(ascii("O 1\r\n"), frame(ascii("after"))));
    p[1].arriveEnd();
    assertArrayEquals(ascii("after"), readAll(s, 8));
    assertEquals("HELLO 1\r\n", p[1].sent.toString(StandardCharsets.ISO_8859_1));
    assertEquals(Duration.ofMillis(50), s.getOption(ChainSocketOptions.RECEIVE_TIMEOUT));
  }
}
