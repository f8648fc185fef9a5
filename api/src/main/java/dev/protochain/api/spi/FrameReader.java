package dev.protochain.api.spi;

import dev.protochain.api.ChainSocket;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Reads frames from a byte stream and returns what they carry: the receive side of a framed layer,
 * which the author's {@link Decoder} only has to recognise and decode frames for.
 *
 * <p>The reader buffers what the socket below returns, however it is split or merged: a frame cut
 * across reads waits for its rest, several frames in one read are decoded one after the other. It
 * refuses a frame longer than {@link Decoder#maxFrameLength()} as soon as its header says so,
 * before anything is allocated for it, with a {@link ProtocolException} naming the layer, the
 * frame, the peer and both sizes; a stream that ends inside a frame is one too. After such a
 * failure (or one the decoder throws) the input stays failed: every later receive throws the same
 * message. A {@link java.net.SocketTimeoutException} from below leaves the partial frame in place,
 * and the next receive resumes it.
 *
 * <p>Memory: one buffer, grown to the longest frame seen (at most {@code maxFrameLength()}); on the
 * steady path the reader allocates nothing, and decoded bytes are returned from the decoder's
 * buffer (often a view of the frame itself) without a copy but the one into the caller's.
 *
 * <p>Not thread-safe: one receiver at a time, under the socket's receive lock ({@link FramedSocket}
 * holds one).
 */
public final class FrameReader {

  /**
   * How a frame is recognised in a byte stream and what it carries: what a framed layer's author
   * writes for the receive side. All methods run on the receiving thread, under the reader's lock.
   *
   * <pre>{@code
   * // 4-byte big-endian length, then that many bytes
   * public int maxFrameLength() { return 4 + 65536; }
   * public long frameLength(ByteBuffer in) {
   *   return in.remaining() < 4 ? -(4 - in.remaining()) : 4 + (in.getInt(in.position()) & 0xffffffffL);
   * }
   * public ByteBuffer decode(ByteBuffer frame) { return frame.position(frame.position() + 4); }
   * }</pre>
   */
  public interface Decoder {

    /** Returns the longest frame, header included, the reader accepts; constant per socket. */
    int maxFrameLength();

    /**
     * Looks at the start of {@code buffered} (its position to its limit, at least one byte; do not
     * rely on its position afterwards) and returns the whole length of the frame starting there,
     * header included, as soon as enough of its header is in to tell; or {@code -k} when at least
     * {@code k} more bytes must arrive to tell. A length over {@link #maxFrameLength()} is refused
     * by the reader; a header that breaks the protocol is the decoder's to refuse.
     *
     * @throws ProtocolException if the header is malformed
     */
    long frameLength(ByteBuffer buffered) throws IOException;

    /**
     * Decodes one whole frame (position to limit, exactly the length {@link #frameLength} gave) and
     * returns the application bytes it carries, position to limit: a view of {@code frame} (which
     * the decoder may change in place, to unmask it say) or a buffer of the decoder's own; empty
     * for a frame that carries none (a control frame); {@code null} when the frame ends the stream
     * (a close frame), after which receives return -1. The buffer returned must stay as it is until
     * the reader asks for the next frame.
     *
     * @throws ProtocolException if the frame is malformed
     */
    ByteBuffer decode(ByteBuffer frame) throws IOException;
  }

  private static final int FIRST_CAPACITY = 16 * 1024;

  private final ChainSocket below;
  private final Decoder decoder;
  private final String describe;
  private final int max;
  private ByteBuffer buf; // position: end of what arrived
  private ByteBuffer view; // over buf, reused for every frame
  private int start; // the first byte of the next frame
  private ByteBuffer plain; // what the last frame carries, not yet returned
  private long frames;
  private boolean ended;
  private String failure;

  /**
   * Creates a reader of frames from {@code below}; {@code describe} names the layer in messages,
   * such as {@code layer 'deflate' (entry 2001)}.
   */
  public FrameReader(ChainSocket below, Decoder decoder, String describe) {
    this.below = Objects.requireNonNull(below, "below");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.describe = Objects.requireNonNull(describe, "describe");
    this.max = decoder.maxFrameLength();
    if (max < 1) {
      throw new IllegalArgumentException(
          "maxFrameLength() of " + decoder + " is " + max + " (expected: 1 or more)");
    }
  }

  /**
   * Puts {@code bytes} (position to limit) before whatever the socket below will return: what the
   * peer sent after its handshake. Call it before the first receive.
   */
  public void preload(ByteBuffer bytes) {
    ensure(bytes.remaining());
    buf.put(bytes);
  }

  /** Returns how many frames were decoded so far; the next is number {@code frames() + 1}. */
  public long frames() {
    return frames;
  }

  /** Returns whether decoded bytes are waiting, so that a receive returns without reading below. */
  public boolean hasDecoded() {
    return plain != null && plain.hasRemaining();
  }

  /**
   * Receives decoded bytes into {@code dst}, reading and decoding frames as needed; returns how
   * many, 0 when {@code dst} is full, or -1 at the end of the stream (between frames, or at a frame
   * {@link Decoder#decode} ended it with).
   *
   * @throws ProtocolException if a frame is too long or malformed, or the stream ends inside one
   */
  public int receive(ByteBuffer dst) throws IOException {
    if (failure != null) {
      throw new ProtocolException(failure);
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    try {
      while (plain == null || !plain.hasRemaining()) {
        if (ended) {
          return -1;
        }
        plain = null;
        if (!nextFrame()) {
          ended = true;
          return -1;
        }
      }
    } catch (ProtocolException e) {
      failure = e.getMessage();
      throw e;
    }
    return HandshakeSocket.transfer(plain, dst);
  }

  /** Reads and decodes the next frame into {@code plain}; {@code false} at the end of stream. */
  private boolean nextFrame() throws IOException {
    if (buf != null && start == buf.position()) {
      start = 0; // nothing buffered and nothing returned from the buffer is left: start over
      buf.clear();
    }
    while (true) {
      int buffered = buf == null ? 0 : buf.position() - start;
      long length = 0;
      long need;
      if (buffered == 0) {
        need = 1;
      } else {
        view.limit(buf.position()).position(start);
        length = decoder.frameLength(view);
        if (length > 0) {
          if (length > max) {
            throw refused("declares " + length + " bytes, over the maximum of " + max);
          }
          if (buffered >= length) {
            view.limit(start + (int) length).position(start);
            start += (int) length;
            frames++;
            ByteBuffer out = decoder.decode(view);
            if (out == null) {
              return false;
            }
            plain = out;
            return true;
          }
          need = length - buffered;
        } else if (length < 0) {
          need = -length;
        } else {
          throw new IllegalStateException(
              decoder + ".frameLength returned 0 (expected: a length, or -k for k more bytes)");
        }
      }
      if (buffered + need > max) {
        throw refused(
            "is longer than the maximum of "
                + max
                + " bytes ("
                + buffered
                + " bytes read, its header still incomplete)");
      }
      ensure((int) (buffered + need));
      int got = below.receive(buf);
      if (got < 0) {
        if (buffered == 0) {
          return false;
        }
        throw new ProtocolException(
            describe
                + ": the stream from "
                + peerOf(below)
                + " ended inside "
                + (length > 0
                    ? "frame " + (frames + 1) + " (" + buffered + " of " + length + " bytes read)"
                    : "the header of frame "
                        + (frames + 1)
                        + " ("
                        + buffered
                        + " bytes read, at least "
                        + need
                        + " more needed)"));
      }
    }
  }

  /** Makes room for {@code bytes} from {@code start}, moving or growing the buffer if need be. */
  private void ensure(int bytes) {
    if (buf == null) {
      buf = ByteBuffer.allocate(Math.max(Math.min(max, FIRST_CAPACITY), bytes));
      view = buf.duplicate();
      return;
    }
    if (buf.capacity() - start >= bytes && buf.position() < buf.capacity()) {
      return;
    }
    int buffered = buf.position() - start;
    if (buf.capacity() >= bytes) {
      buf.flip().position(start);
      buf.compact(); // nothing returned from it is still in use: plain was consumed
    } else {
      ByteBuffer bigger =
          ByteBuffer.allocate((int) Math.min(max, Math.max(bytes, 2L * buf.capacity())));
      bigger.put(buf.array(), start, buffered);
      buf = bigger;
      view = buf.duplicate();
    }
    start = 0;
  }

  private ProtocolException refused(String what) {
    return new ProtocolException(
        describe + ": frame " + (frames + 1) + " from " + peerOf(below) + " " + what);
  }

  /** Returns the peer of {@code s} as text, for messages. */
  static String peerOf(ChainSocket s) {
    try {
      SocketAddress a = s.remoteAddress();
      return a == null ? "an unconnected peer" : a.toString();
    } catch (IOException | RuntimeException e) {
      return "an unknown peer";
    }
  }

  /** Returns {@code FrameReader[3 frames, 12 bytes buffered]}. */
  @Override
  public String toString() {
    return "FrameReader["
        + frames
        + " frames, "
        + (buf == null ? 0 : buf.position() - start)
        + " bytes buffered]";
  }
}
