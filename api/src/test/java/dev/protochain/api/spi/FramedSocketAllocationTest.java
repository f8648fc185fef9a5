package dev.protochain.api.spi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The kit's steady path allocates nothing per frame: 20,000 frames sent and 20,000 received through
 * a {@link FramedSocket} whose codec allocates nothing allocate (nearly) nothing on the calling
 * thread, once the first frames sized the buffers.
 */
class FramedSocketAllocationTest {

  static final int FRAMES = 20_000;
  static final int PAYLOAD = 100;

  /** The socket below: receives from a preloaded wire in 1000-byte reads, discards what is sent. */
  static final class Wire extends ForwardingSocket {
    final ByteBuffer in;

    Wire(ByteBuffer in) {
      super(Pipe.pair()[0]);
      this.in = in;
    }

    @Override
    protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
      throw new AssertionError();
    }

    @Override
    public int send(ByteBuffer src) {
      int n = src.remaining();
      src.position(src.limit());
      return n;
    }

    @Override
    public int receive(ByteBuffer dst) {
      if (!in.hasRemaining()) {
        return -1;
      }
      int n = Math.min(1000, Math.min(in.remaining(), dst.remaining()));
      int limit = in.limit();
      in.limit(in.position() + n);
      dst.put(in);
      in.limit(limit);
      return n;
    }
  }

  static final class LengthPrefixed extends FramedSocket {
    LengthPrefixed(ChainSocket below) {
      super(below, "layer 'lp' (entry 2001)");
    }

    @Override
    protected HandshakeSocket newAccepted(ChainSocket acceptedBelow) {
      return new LengthPrefixed(acceptedBelow);
    }

    @Override
    protected int maxFrameLength() {
      return 4 + 1024;
    }

    @Override
    protected long frameLength(ByteBuffer in) {
      return in.remaining() < 4 ? -(4 - in.remaining()) : 4 + in.getInt(in.position());
    }

    @Override
    protected ByteBuffer decode(ByteBuffer frame) {
      return frame.position(frame.position() + 4);
    }

    @Override
    protected void encode(ByteBuffer src, ByteBuffer out) {
      int n = Math.min(src.remaining(), out.remaining() - 4);
      out.putInt(n).put(4, src, src.position(), n).position(4 + n);
      src.position(src.position() + n);
    }
  }

  static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void sendingAndReceivingFramesAllocatesNothingPerFrame() throws IOException {
    ByteBuffer wire = ByteBuffer.allocate(2 * FRAMES * (4 + PAYLOAD));
    for (int i = 0; i < 2 * FRAMES; i++) {
      wire.putInt(PAYLOAD).put(new byte[PAYLOAD]);
    }
    LengthPrefixed s = new LengthPrefixed(new Wire(wire.flip()));
    s.connect(new InetSocketAddress("127.0.0.1", 1));
    ByteBuffer app = ByteBuffer.allocate(PAYLOAD);
    for (int i = 0; i < FRAMES; i++) { // warm up: buffers sized, code compiled
      s.send(app.clear());
      s.receiveFully(app.clear());
    }
    for (int i = 0; i < FRAMES; i++) {
      s.send(app.clear());
    }
    allocated();
    long start = allocated();
    for (int i = 0; i < FRAMES; i++) {
      s.send(app.clear());
    }
    long sent = allocated() - start;
    for (int i = 0; i < FRAMES; i++) {
      s.receiveFully(app.clear());
    }
    long received = allocated() - start - sent;
    System.out.printf(
        "kit steady path: %d bytes allocated sending %d frames, %d bytes receiving %d%n",
        sent, FRAMES, received, FRAMES);
    assertTrue(sent < 8 * 1024, sent + " bytes allocated sending " + FRAMES + " frames");
    assertTrue(received < 8 * 1024, received + " bytes allocated receiving " + FRAMES + " frames");
  }
}
