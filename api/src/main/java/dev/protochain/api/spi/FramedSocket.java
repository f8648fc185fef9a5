package dev.protochain.api.spi;

import dev.protochain.api.ChainSocket;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A layer's stream socket that carries the application's bytes in frames, after an optional
 * handshake: the author writes how a frame is recognised and decoded ({@link #frameLength}, {@link
 * #decode}, as a {@link FrameReader.Decoder}) and how bytes are encoded into one ({@link #encode});
 * the kit does the rest.
 *
 * <p>What the kit does: {@link #send} encodes one frame from what the caller gives, at most {@link
 * #maxEncodedLength()} bytes on the wire, and writes it whole however the socket below splits the
 * write; {@link #receive} runs a {@link FrameReader} (partial and merged reads, the maximum frame
 * length, the end of stream inside a frame, a failed input staying failed). Bytes that followed the
 * handshake in the same reads are the start of the framed stream. A send that fails after part of a
 * frame went out leaves the output unusable: later sends fail with a {@link SocketException}.
 *
 * <p>A frame the receive side must answer (a ping's pong, a close's reply) is sent from {@link
 * #decode} with {@link #sendFrame}, which takes the send lock, so it never lands inside a frame an
 * application thread is writing. A close handshake is the author's: send the close frame in an
 * overridden {@link #close} or {@link #shutdownOutput}, and return {@code null} from {@link
 * #decode} for the peer's, which ends the input.
 *
 * <p>Threads: sends (and {@link #sendFrame}) run under one send lock, receives under one receive
 * lock, both {@link ReentrantLock}s; one thread may send while another receives. The output buffer
 * is allocated once, at the first send; nothing else is allocated per frame but what the author's
 * code allocates.
 *
 * <pre>{@code
 * // 4-byte big-endian length, then the bytes
 * protected int maxFrameLength() { return 4 + 65536; }
 * protected long frameLength(ByteBuffer in) {
 *   return in.remaining() < 4 ? -(4 - in.remaining()) : 4 + (in.getInt(in.position()) & 0xffffffffL);
 * }
 * protected ByteBuffer decode(ByteBuffer frame) { return frame.position(frame.position() + 4); }
 * protected void encode(ByteBuffer src, ByteBuffer out) {
 *   int n = Math.min(src.remaining(), out.remaining() - 4);
 *   out.putInt(n).put(src.slice().limit(n));
 *   src.position(src.position() + n);
 * }
 * }</pre>
 */
public abstract class FramedSocket extends HandshakeSocket {

  private final ReentrantLock sendLock = new ReentrantLock();
  private final ReentrantLock receiveLock = new ReentrantLock();
  private volatile FrameReader reader; // made at the end of the handshake
  private ByteBuffer out; // guarded by sendLock
  private boolean outputBroken; // guarded by sendLock

  /**
   * Creates a socket over {@code below}; {@code describe} names the layer in messages, such as
   * {@code layer 'greet' (entry 2001)}.
   */
  protected FramedSocket(ChainSocket below, String describe) {
    super(below, describe);
  }

  /* ---- what the author writes ---- */

  /** See {@link FrameReader.Decoder#maxFrameLength()}. */
  protected abstract int maxFrameLength();

  /** See {@link FrameReader.Decoder#frameLength}; runs on the receiving thread. */
  protected abstract long frameLength(ByteBuffer buffered) throws IOException;

  /** See {@link FrameReader.Decoder#decode}; runs on the receiving thread. */
  protected abstract ByteBuffer decode(ByteBuffer frame) throws IOException;

  /**
   * Encodes one frame into {@code out} (empty, {@link #maxEncodedLength()} bytes of room) from the
   * start of {@code src} (never empty), advancing {@code src} past what it took: at least one byte.
   * Runs under the send lock.
   */
  protected abstract void encode(ByteBuffer src, ByteBuffer out) throws IOException;

  /**
   * Returns the room {@link #encode} gets, the longest frame it may write; by default {@link
   * #maxFrameLength()}.
   */
  protected int maxEncodedLength() {
    return maxFrameLength();
  }

  /* ---- the kit ---- */

  @Override
  void handshaken(ByteBuffer after) {
    FrameReader r =
        new FrameReader(
            below(),
            new FrameReader.Decoder() {
              @Override
              public int maxFrameLength() {
                return FramedSocket.this.maxFrameLength();
              }

              @Override
              public long frameLength(ByteBuffer buffered) throws IOException {
                return FramedSocket.this.frameLength(buffered);
              }

              @Override
              public ByteBuffer decode(ByteBuffer frame) throws IOException {
                return FramedSocket.this.decode(frame);
              }

              @Override
              public String toString() {
                return FramedSocket.this.getClass().getName();
              }
            },
            describe());
    if (after.hasRemaining()) {
      r.preload(after);
    }
    reader = r;
  }

  /** Returns how many frames were received so far; the one being decoded is counted. */
  protected final long framesReceived() {
    FrameReader r = reader;
    return r == null ? 0 : r.frames();
  }

  /** Encodes and sends one frame from {@code src}; returns how many of its bytes it carries. */
  @Override
  public int send(ByteBuffer src) throws IOException {
    if (!ready()) {
      return below().send(src); // not connected: the socket below says why a send fails
    }
    sendLock.lock();
    try {
      checkOutput();
      if (!src.hasRemaining()) {
        return 0;
      }
      if (out == null) {
        out = ByteBuffer.allocate(maxEncodedLength());
      }
      out.clear();
      int before = src.position();
      encode(src, out);
      int n = src.position() - before;
      if (n <= 0) {
        throw new IllegalStateException(
            getClass().getName() + ".encode took " + n + " of " + src.remaining() + " bytes");
      }
      write(out.flip());
      return n;
    } finally {
      sendLock.unlock();
    }
  }

  /**
   * Sends {@code frame} (position to limit, already encoded) whole, under the send lock: a control
   * frame, from the receive path or from a close.
   */
  protected final void sendFrame(ByteBuffer frame) throws IOException {
    sendLock.lock();
    try {
      checkOutput();
      write(frame);
    } finally {
      sendLock.unlock();
    }
  }

  private void checkOutput() throws SocketException {
    if (outputBroken) {
      throw new SocketException(
          describe() + ": an earlier frame was cut short; the output is unusable");
    }
  }

  private void write(ByteBuffer frame) throws IOException {
    int start = frame.position();
    try {
      while (frame.hasRemaining()) {
        below().send(frame);
      }
    } catch (IOException | RuntimeException e) {
      outputBroken = frame.position() > start;
      throw e;
    }
  }

  /** Receives what the next frames carry; see {@link FrameReader#receive}. */
  @Override
  public int receive(ByteBuffer dst) throws IOException {
    if (!ready()) {
      return below().receive(dst); // not connected: the socket below says why a receive fails
    }
    FrameReader r = reader;
    receiveLock.lock();
    try {
      return r.receive(dst);
    } finally {
      receiveLock.unlock();
    }
  }
}
