package dev.protochain.layers.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Recognises and decodes the frames a peer sends, for the kit's {@link
 * dev.protochain.api.spi.FrameReader}: data frames give their payload, unmasked in place, so that
 * binary and text messages become one stream of bytes, fragments joined in order (a fragmented
 * message is only its frames one after another, so nothing is held back to join them); control
 * frames between them are answered through {@link Control}.
 *
 * <p>Every check of section 5 is made on the header, in {@link #frameLength}, before the payload is
 * read: reserved bits 0, a known opcode, control frames final and at most 125 bytes, frames from a
 * client masked and from a server not, a continuation only inside a message and a new message only
 * outside one, a 64-bit length with its top bit 0, and the whole message, fragments added, at most
 * {@code maxMessage} bytes. A failure is a {@link FrameException} with the status to close with.
 * Not thread-safe: the kit calls it from one receiving thread at a time.
 */
final class FrameDecoder {

  /** What the decoder does with control frames. */
  interface Control {
    /** Answers a ping whose payload is {@code len} bytes of {@code payload}. */
    void ping(byte[] payload, int len) throws IOException;
  }

  private final Control control;
  private final boolean fromClient;
  private final long maxMessage;
  private final byte[] controlPayload = new byte[Frames.MAX_CONTROL];

  private long frames;
  private boolean inMessage;
  private long messageSize;
  private volatile Frames.Close closed;

  /**
   * Creates a decoder.
   *
   * @param fromClient whether the peer is the client, whose frames must be masked
   * @param maxMessage the most bytes a message may carry, in all its fragments
   */
  FrameDecoder(Control control, boolean fromClient, long maxMessage) {
    this.control = control;
    this.fromClient = fromClient;
    this.maxMessage = maxMessage;
  }

  /** Returns the longest frame: a header of 14 bytes and {@code maxMessage} bytes of payload. */
  static int maxFrameLength(int maxMessage) {
    return Frames.MAX_HEADER + maxMessage;
  }

  /** Returns the close frame the peer sent, or null if none came yet; any thread may ask. */
  Frames.Close closed() {
    return closed;
  }

  /** Returns how many frames were decoded (control frames included). */
  long frames() {
    return frames;
  }

  /**
   * Returns the whole length of the frame at {@code in}'s position, header included, once its
   * header is in; or {@code -k} when {@code k} more bytes are needed to tell. Changes nothing.
   *
   * @throws FrameException if the header breaks section 5
   */
  long frameLength(ByteBuffer in) throws FrameException {
    int p = in.position();
    int have = in.remaining();
    if (have < 2) {
      return -(2 - have);
    }
    int b0 = in.get(p) & 0xff;
    int b1 = in.get(p + 1) & 0xff;
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0f;
    boolean masked = (b1 & 0x80) != 0;
    int len7 = b1 & 0x7f;
    if ((b0 & 0x70) != 0) {
      throw fail(
          Frames.PROTOCOL_ERROR,
          String.format(
              java.util.Locale.ROOT,
              "has reserved bits 0x%02x set, and no extension was agreed",
              b0 & 0x70));
    }
    boolean isControl = Frames.isControl(opcode);
    if ((opcode > Frames.BINARY && !isControl) || opcode > Frames.PONG) {
      throw fail(Frames.PROTOCOL_ERROR, "has opcode " + Frames.opcodeName(opcode));
    }
    if (masked != fromClient) {
      throw fail(
          Frames.PROTOCOL_ERROR,
          fromClient
              ? "is not masked (a client masks every frame, RFC 6455 5.1)"
              : "is masked (a server masks no frame, RFC 6455 5.1)");
    }
    if (isControl && (!fin || len7 > Frames.MAX_CONTROL)) {
      throw fail(
          Frames.PROTOCOL_ERROR,
          "is a "
              + Frames.opcodeName(opcode)
              + (fin ? " frame of more than 125 bytes" : " frame split in fragments")
              + " (a control frame is final and at most 125 bytes)");
    }
    if (!isControl) {
      if (opcode == Frames.CONTINUATION && !inMessage) {
        throw fail(Frames.PROTOCOL_ERROR, "continues a message, but none was begun");
      }
      if (opcode != Frames.CONTINUATION && inMessage) {
        throw fail(
            Frames.PROTOCOL_ERROR,
            "begins a "
                + Frames.opcodeName(opcode)
                + " message inside a fragmented one (expected: a continuation)");
      }
    }
    int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    if (have < header) {
      return -(header - have);
    }
    long length = len7;
    if (len7 == 126) {
      length = in.getShort(p + 2) & 0xffff;
    } else if (len7 == 127) {
      length = in.getLong(p + 2);
      if (length < 0) {
        throw fail(Frames.PROTOCOL_ERROR, "declares a length with its top bit set");
      }
    }
    if (length > maxMessage - messageSize) {
      throw fail(
          Frames.TOO_BIG,
          "makes a message of "
              + (messageSize + length)
              + " bytes, over the bound of "
              + maxMessage
              + " (setting 'max-message')");
    }
    return header + length;
  }

  /**
   * Decodes one whole frame (position to limit): returns a data frame's payload, unmasked in place;
   * an empty buffer after a control frame; null after a close frame, which ends the input.
   *
   * @throws FrameException for a close frame whose payload breaks section 5.5.1
   */
  ByteBuffer decode(ByteBuffer frame) throws IOException {
    int p = frame.position();
    int b0 = frame.get(p) & 0xff;
    int b1 = frame.get(p + 1) & 0xff;
    int opcode = b0 & 0x0f;
    boolean masked = (b1 & 0x80) != 0;
    int len7 = b1 & 0x7f;
    int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    int length = frame.limit() - p - header;
    int key = masked ? frame.getInt(p + header - 4) : 0;
    frame.position(p + header);
    if (Frames.isControl(opcode)) {
      frame.get(controlPayload, 0, length);
      if (masked) {
        Frames.mask(controlPayload, 0, length, key, 0);
      }
      if (opcode == Frames.CLOSE) {
        Frames.Close c;
        try {
          c = Frames.readClose(controlPayload, 0, length);
        } catch (FrameException e) {
          throw fail(e.status(), "is " + e.getMessage());
        }
        frames++;
        closed = c;
        return null;
      }
      if (opcode == Frames.PING) {
        control.ping(controlPayload, length);
      } // a pong: nothing to do, no ping of ours waits for it
      frames++;
      return frame.limit(frame.position());
    }
    if (masked) {
      Frames.mask(frame, p + header, length, key, 0);
    }
    frames++;
    if ((b0 & 0x80) != 0) {
      inMessage = false;
      messageSize = 0;
    } else {
      inMessage = true;
      messageSize += length;
    }
    return frame;
  }

  private FrameException fail(int status, String what) {
    return new FrameException(status, "frame " + (frames + 1) + " " + what);
  }
}
