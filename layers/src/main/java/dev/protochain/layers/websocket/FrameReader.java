package dev.protochain.layers.websocket;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Turns the frames a peer sends into the bytes of its data messages, one stream: the payloads of
 * binary and text messages in order, fragments joined (a fragmented message is only its frames one
 * after another, so nothing is held back to join them), control frames answered between them.
 *
 * <p>Payload bytes go straight into the caller's buffer and are unmasked there; headers and control
 * frames are read through a read-ahead buffer, which the handshake fills first (bytes a peer sent
 * right behind its HTTP head stay in it). A message longer than {@code maxMessage} in all its
 * fragments is refused from its header, before its payload is read.
 *
 * <p>Every check of section 5 is made on the header: reserved bits 0, a known opcode, control
 * frames final and at most 125 bytes, frames from a client masked and from a server not, a
 * continuation only inside a message and a new message only outside one, a 64-bit length with its
 * top bit 0. A failure is a {@link FrameException} with the status to close with; after it, and
 * after a close frame, the reader reads nothing more. A timeout of the source leaves the reader as
 * it was, so the next read resumes. Not thread-safe: one reading thread at a time.
 */
final class FrameReader {

  /** Where frames come from: a socket's receive. */
  @FunctionalInterface
  interface Source {
    int receive(ByteBuffer dst) throws IOException;
  }

  /** What the reader does with control frames. */
  interface Control {
    /** Answers a ping whose payload is {@code len} bytes of {@code payload}. */
    void ping(byte[] payload, int len) throws IOException;

    /** Takes the peer's close frame; the reader returns end of stream from then on. */
    void close(Frames.Close close) throws IOException;
  }

  private final Source source;
  private final Control control;
  private final ByteBuffer in;
  private final boolean fromClient;
  private final long maxMessage;
  private final byte[] controlPayload = new byte[Frames.MAX_CONTROL];

  private long frames;
  private long payloadLeft;
  private long payloadRead;
  private long frameLength;
  private boolean masked;
  private int maskKey;
  private boolean finalFrame;
  private boolean inMessage;
  private long messageSize;
  private Frames.Close closed;

  /**
   * Creates a reader of frames from {@code source}.
   *
   * @param in the read-ahead buffer in read mode (the bytes already received between its position
   *     and limit); at least {@value Frames#MAX_HEADER} + {@value Frames#MAX_CONTROL} bytes
   * @param fromClient whether the peer is the client, whose frames must be masked
   * @param maxMessage the most bytes a message may carry, in all its fragments
   */
  FrameReader(Source source, Control control, ByteBuffer in, boolean fromClient, long maxMessage) {
    if (in.capacity() < Frames.MAX_HEADER + Frames.MAX_CONTROL) {
      throw new IllegalArgumentException("read-ahead of " + in.capacity() + " bytes is too small");
    }
    this.source = source;
    this.control = control;
    this.in = in;
    this.fromClient = fromClient;
    this.maxMessage = maxMessage;
  }

  /** Returns the close frame the peer sent, or null if none came yet. */
  Frames.Close closed() {
    return closed;
  }

  /** Returns how many frames were read whole (control frames included). */
  long frames() {
    return frames;
  }

  /**
   * Reads message bytes into {@code dst}: at least one unless {@code dst} is full, blocking as the
   * source does; -1 once the peer's close frame came.
   *
   * @throws FrameException if the peer broke the protocol
   * @throws EOFException if the connection ended without a close frame (1006), inside a frame or
   *     between two
   */
  int read(ByteBuffer dst) throws IOException {
    if (!dst.hasRemaining()) {
      return closed != null ? -1 : 0;
    }
    while (true) {
      if (closed != null) {
        return -1;
      }
      if (payloadLeft > 0) {
        return readPayload(dst);
      }
      if (!readHeader()) {
        continue; // a control frame, or an empty data frame
      }
      if (payloadLeft == 0) {
        frameDone();
      }
    }
  }

  private int readPayload(ByteBuffer dst) throws IOException {
    int start = dst.position();
    int want = (int) Math.min(payloadLeft, dst.remaining());
    int n;
    if (in.hasRemaining()) {
      n = Math.min(want, in.remaining());
      int limit = in.limit();
      in.limit(in.position() + n);
      dst.put(in);
      in.limit(limit);
    } else if (want >= in.capacity() / 2) {
      int limit = dst.limit();
      dst.limit(start + want);
      try {
        n = source.receive(dst);
      } finally {
        dst.limit(limit);
      }
      if (n < 0) {
        throw truncated();
      }
    } else {
      if (fill() < 0) { // a short payload: read ahead, so that the next header comes with it
        throw truncated();
      }
      return readPayload(dst);
    }
    if (masked) {
      Frames.mask(dst, start, n, maskKey, payloadRead);
    }
    payloadRead += n;
    payloadLeft -= n;
    if (payloadLeft == 0) {
      frameDone();
    }
    return n;
  }

  private void frameDone() {
    frames++;
    if (finalFrame) {
      inMessage = false;
      messageSize = 0;
    }
  }

  /**
   * Reads one header; returns true for a data frame whose payload is next, false after a whole
   * control frame.
   */
  private boolean readHeader() throws IOException {
    need(2, true);
    int p = in.position();
    int b0 = in.get(p) & 0xff;
    int b1 = in.get(p + 1) & 0xff;
    boolean fin = (b0 & 0x80) != 0;
    int opcode = b0 & 0x0f;
    boolean isMasked = (b1 & 0x80) != 0;
    int len7 = b1 & 0x7f;
    int headerLength = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (isMasked ? 4 : 0);
    if ((b0 & 0x70) != 0) {
      throw fail(
          Frames.PROTOCOL_ERROR,
          String.format(
              java.util.Locale.ROOT,
              "has reserved bits 0x%02x set, and no extension was agreed",
              b0 & 0x70));
    }
    boolean isControl = Frames.isControl(opcode);
    if (opcode > Frames.BINARY && !isControl || opcode > Frames.PONG) {
      throw fail(Frames.PROTOCOL_ERROR, "has opcode " + Frames.opcodeName(opcode));
    }
    if (isMasked != fromClient) {
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
    need(headerLength, false);
    p = in.position(); // receiving may have moved the bytes to the front
    long length = len7;
    if (len7 == 126) {
      length = in.getShort(p + 2) & 0xffff;
    } else if (len7 == 127) {
      length = in.getLong(p + 2);
      if (length < 0) {
        throw fail(Frames.PROTOCOL_ERROR, "declares a length with its top bit set");
      }
    }
    int key = isMasked ? in.getInt(p + headerLength - 4) : 0;
    if (isControl) {
      need(headerLength + (int) length, false);
      p = in.position();
      in.position(p + headerLength);
      in.get(controlPayload, 0, (int) length);
      if (isMasked) {
        Frames.mask(controlPayload, 0, (int) length, key, 0);
      }
      control(opcode, (int) length);
      frames++;
      return false;
    }
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
    if (length > maxMessage - messageSize) {
      throw fail(
          Frames.TOO_BIG,
          "makes a message of "
              + Long.toUnsignedString(messageSize + length)
              + " bytes, over the bound of "
              + maxMessage
              + " (setting 'max-message')");
    }
    in.position(p + headerLength);
    inMessage = true;
    messageSize += length;
    finalFrame = fin;
    masked = isMasked;
    maskKey = key;
    frameLength = length;
    payloadLeft = length;
    payloadRead = 0;
    return true;
  }

  private void control(int opcode, int len) throws IOException {
    switch (opcode) {
      case Frames.PING -> control.ping(controlPayload, len);
      case Frames.CLOSE -> {
        Frames.Close c;
        try {
          c = Frames.readClose(controlPayload, 0, len);
        } catch (FrameException e) {
          throw fail(e.status(), "is " + e.getMessage());
        }
        closed = c;
        control.close(c);
      }
      default -> {} // a pong: nothing to do, no ping of ours waits for it
    }
  }

  /** Makes sure {@code n} bytes from the position are in {@code in}, receiving as needed. */
  private void need(int n, boolean atBoundary) throws IOException {
    while (in.remaining() < n) {
      int had = in.remaining();
      if (fill() < 0) {
        if (had == 0 && atBoundary) {
          throw new EOFException(
              "the connection ended without a close frame"
                  + (inMessage ? ", inside a fragmented message" : "")
                  + " (status 1006 abnormal closure) after "
                  + frames
                  + " frames");
        }
        throw new EOFException(
            "the connection ended inside the header of frame "
                + (frames + 1)
                + " ("
                + had
                + " of "
                + n
                + " bytes read; status 1006 abnormal closure)");
      }
    }
  }

  private int fill() throws IOException {
    in.compact();
    try {
      return source.receive(in);
    } finally {
      in.flip();
    }
  }

  private EOFException truncated() {
    return new EOFException(
        "the connection ended inside frame "
            + (frames + 1)
            + " ("
            + payloadRead
            + " of "
            + frameLength
            + " payload bytes read; status 1006 abnormal closure)");
  }

  private FrameException fail(int status, String what) {
    return new FrameException(status, "frame " + (frames + 1) + " " + what);
  }
}
