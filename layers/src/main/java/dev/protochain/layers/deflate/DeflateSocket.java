package dev.protochain.layers.deflate;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.FrameReader;
import dev.protochain.layers.internal.HoldingSocket;
import dev.protochain.layers.internal.Sockets;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A stream socket compressing what it sends and inflating what it receives, frame by frame; see
 * {@link DeflateLayer} for the format.
 *
 * <p>The output side (held bytes, the deflater, frames written) is {@link HoldingSocket}'s, under
 * its send lock; the input side is the kit's {@link FrameReader} (partial and merged reads, the end
 * of stream inside a frame, a failed input staying failed) with this socket as its decoder, and the
 * inflater, all guarded by {@code receiveLock}. A receive about to block sends what is held as
 * {@link HoldingSocket#flushBeforeReceive()} says: itself only when its own thread wrote all of it.
 */
final class DeflateSocket extends HoldingSocket implements FrameReader.Decoder {

  private static final int HEADER = 5;
  private static final int STORED = 0x00;
  private static final int DEFLATED = 0x01;

  private final DeflateLayer layer;
  private final int maxFrame;
  private final ReentrantLock receiveLock = new ReentrantLock();

  // Output side, guarded by the send lock.
  private ByteBuffer held;
  private byte[] frame;
  private Deflater deflater;
  private boolean outputBroken;

  // Input side, guarded by receiveLock.
  private final FrameReader reader;
  private byte[] inflated;
  private ByteBuffer plain; // over inflated
  private Inflater inflater;

  DeflateSocket(DeflateLayer layer, ChainSocket below, boolean connected) {
    super(layer.owner(), below, connected);
    this.layer = layer;
    this.maxFrame = layer.maxFrame();
    this.reader = new FrameReader(below, this, describe());
  }

  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    return new DeflateSocket(layer, acceptedBelow, true);
  }

  /* ---- output, under the send lock ---- */

  @Override
  protected int hold(ByteBuffer src) {
    if (held == null) {
      held = ByteBuffer.allocate(maxFrame);
    }
    return Sockets.transfer(src, held);
  }

  @Override
  protected boolean full() {
    return !held.hasRemaining();
  }

  @Override
  protected boolean holdsUnfilled() {
    return !layer.owner().delay().isZero(); // delay 0: every write is a frame at once
  }

  @Override
  protected void sendHeld() throws IOException {
    if (outputBroken) {
      throw new SocketException(
          describe() + ": an earlier frame was cut short; the output is unusable");
    }
    int n = held.position();
    if (frame == null) {
      frame = new byte[HEADER + maxFrame];
      deflater = new Deflater(layer.level());
    }
    deflater.reset();
    deflater.setInput(held.array(), 0, n);
    deflater.finish();
    int packed = deflater.deflate(frame, HEADER, maxFrame);
    int length;
    int flags;
    if (deflater.finished() && packed < n) {
      length = packed;
      flags = DEFLATED;
    } else {
      System.arraycopy(held.array(), 0, frame, HEADER, n);
      length = n;
      flags = STORED;
    }
    frame[0] = (byte) (length >>> 24);
    frame[1] = (byte) (length >>> 16);
    frame[2] = (byte) (length >>> 8);
    frame[3] = (byte) length;
    frame[4] = (byte) flags;
    ByteBuffer out = ByteBuffer.wrap(frame, 0, HEADER + length);
    try {
      while (out.hasRemaining()) {
        below().send(out);
      }
    } catch (IOException | RuntimeException e) {
      outputBroken = out.position() > 0;
      throw e;
    }
    held.clear();
    heldNow(0);
  }

  @Override
  protected void dropHeld() {
    if (held != null) {
      held.clear();
    }
  }

  @Override
  protected void outputClosed() {
    if (deflater != null) {
      deflater.end();
      deflater = null;
    }
  }

  /* ---- input ---- */

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    if (!connected()) {
      return below().receive(dst); // the socket below says why a receive fails here
    }
    receiveLock.lock();
    try {
      if (!open()) {
        throw new ClosedChannelException();
      }
      if (!reader.hasDecoded()) {
        flushBeforeReceive(); // a request leaves before its reply is awaited
      }
      return reader.receive(dst);
    } finally {
      if (!open()) {
        endInflater();
      }
      receiveLock.unlock();
    }
  }

  /** Frames as {@link DeflateLayer} gives them; checked before a byte of the block is read. */
  @Override
  public long frameLength(ByteBuffer in) throws ProtocolException {
    if (in.remaining() < HEADER) {
      return -(HEADER - in.remaining());
    }
    long frameNo = reader.frames() + 1;
    int length = in.getInt(in.position());
    int flags = in.get(in.position() + 4) & 0xff;
    if (length == 0) {
      throw malformed(
          "frame " + frameNo + " declares an empty block (expected: 1 to " + maxFrame + " bytes)");
    }
    if (length < 0 || length > maxFrame) {
      throw malformed(
          "frame "
              + frameNo
              + " declares a block of "
              + Integer.toUnsignedString(length)
              + " bytes, over the bound of "
              + maxFrame
              + " (setting 'max-frame')");
    }
    if (flags != STORED && flags != DEFLATED) {
      throw malformed(
          String.format(
              Locale.ROOT,
              "frame %d has flags 0x%02x (expected: 0x00 stored or 0x01 deflated)",
              frameNo,
              flags));
    }
    return HEADER + (long) length;
  }

  @Override
  public ByteBuffer decode(ByteBuffer frame) throws ProtocolException {
    int block = frame.position() + HEADER;
    if (frame.get(frame.position() + 4) == STORED) {
      return frame.position(block);
    }
    if (inflated == null) {
      inflated = new byte[maxFrame];
      plain = ByteBuffer.wrap(inflated);
      inflater = new Inflater();
    }
    int n = inflate(frame.array(), frame.arrayOffset() + block, frame.limit() - block);
    return plain.clear().limit(n);
  }

  @Override
  public int maxFrameLength() {
    return HEADER + maxFrame;
  }

  private int inflate(byte[] in, int offset, int length) throws ProtocolException {
    long frameNo = reader.frames();
    inflater.reset();
    inflater.setInput(in, offset, length);
    try {
      int n = inflater.inflate(inflated, 0, maxFrame);
      if (!inflater.finished() && n == maxFrame && inflater.inflate(new byte[1]) > 0) {
        throw malformed(
            "frame "
                + frameNo
                + " inflates to more than the bound of "
                + maxFrame
                + " bytes (setting 'max-frame')");
      }
      if (!inflater.finished()) {
        throw malformed("frame " + frameNo + " ends before its zlib stream does");
      }
      if (inflater.getRemaining() > 0) {
        throw malformed(
            "frame "
                + frameNo
                + " has "
                + inflater.getRemaining()
                + " bytes after its zlib stream");
      }
      if (n == 0) {
        throw malformed(
            "frame " + frameNo + " inflates to nothing (expected: 1 to " + maxFrame + " bytes)");
      }
      return n;
    } catch (DataFormatException e) {
      ProtocolException p =
          malformed("frame " + frameNo + " is not a valid zlib stream: " + e.getMessage());
      p.initCause(e);
      throw p;
    }
  }

  private ProtocolException malformed(String what) {
    return new ProtocolException(describe() + ": " + what);
  }

  // Under receiveLock.
  private void endInflater() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
      inflated = null;
      plain = null;
    }
  }

  /* ---- closing ---- */

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      if (receiveLock.tryLock()) {
        try {
          endInflater();
        } finally {
          receiveLock.unlock();
        }
      } // else the receiver, woken by the close below, ends it on its way out
    }
  }
}
