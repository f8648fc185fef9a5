package dev.protochain.layers.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes frames: each send of the application as one final binary frame (a message of at most
 * {@code maxPayload} bytes; a longer write becomes several messages, a stream has no message
 * boundaries to keep), and control frames between them. A client masks every frame with a fresh key
 * from a {@link SecureRandom} (section 5.3), copying and masking the payload in one pass; a server
 * masks none.
 *
 * <p>Thread-safe: a lock (never held by a thread that waits for anything but the sink) keeps each
 * frame whole, so the reading thread may answer a ping while another thread sends. After the close
 * frame nothing more is sent.
 */
final class FrameWriter {

  /** Where frames go: the socket below, whole. */
  @FunctionalInterface
  interface Sink {
    void sendFully(ByteBuffer src) throws IOException;
  }

  private final Sink sink;
  private final boolean masking;
  private final int maxPayload;
  private final SecureRandom random;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  private byte[] frame;
  private boolean closeSent;

  /**
   * Creates a writer.
   *
   * @param masking whether this end is the client, which masks
   * @param maxPayload the most bytes of one data frame
   */
  FrameWriter(Sink sink, boolean masking, int maxPayload) {
    this.sink = sink;
    this.masking = masking;
    this.maxPayload = maxPayload;
    this.random = masking ? new SecureRandom() : null;
  }

  /**
   * Sends up to {@code maxPayload} bytes of {@code src} as one binary message and returns how many;
   * 0 if {@code src} is empty (no empty frame is sent).
   *
   * @throws IOException if the close frame was sent already, or the sink fails
   */
  int send(ByteBuffer src) throws IOException {
    int n = Math.min(src.remaining(), maxPayload);
    if (n == 0) {
      return 0;
    }
    lock.lock();
    try {
      checkOpen();
      if (frame == null) {
        frame = new byte[Frames.MAX_HEADER + maxPayload];
      }
      int key = masking ? random.nextInt() : 0;
      int h = Frames.writeHeader(frame, 0, true, Frames.BINARY, n, masking, key);
      if (src.hasArray()) {
        int from = src.arrayOffset() + src.position();
        if (masking) {
          Frames.maskCopy(src.array(), from, frame, h, n, key);
        } else {
          System.arraycopy(src.array(), from, frame, h, n);
        }
        src.position(src.position() + n);
      } else {
        src.get(frame, h, n);
        if (masking) {
          Frames.mask(frame, h, n, key, 0);
        }
      }
      sink.sendFully(ByteBuffer.wrap(frame, 0, h + n));
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Sends a pong carrying {@code len} bytes of {@code payload}, as a ping asks (section 5.5.3). */
  void pong(byte[] payload, int len) throws IOException {
    control(Frames.PONG, payload, len);
  }

  /** Sends a ping; the peer answers with a pong, which the reader drops. */
  void ping(byte[] payload, int len) throws IOException {
    control(Frames.PING, payload, len);
  }

  /**
   * Sends a close frame with {@code code} and {@code reason} unless one was sent; returns whether
   * this call sent it. Nothing is sent after it.
   */
  boolean close(int code, String reason) throws IOException {
    byte[] p = Frames.closePayload(code, reason);
    lock.lock();
    try {
      if (closeSent) {
        return false;
      }
      closeSent = true; // even if the send fails: a frame cut short cannot be followed
      write(Frames.CLOSE, p, p.length);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Returns whether the close frame was sent (or its sending began). */
  boolean closeSent() {
    lock.lock();
    try {
      return closeSent;
    } finally {
      lock.unlock();
    }
  }

  private void control(int opcode, byte[] payload, int len) throws IOException {
    lock.lock();
    try {
      checkOpen();
      write(opcode, payload, len);
    } finally {
      lock.unlock();
    }
  }

  // Under lock; control frames only, at most 125 bytes.
  private void write(int opcode, byte[] payload, int len) throws IOException {
    byte[] f = new byte[Frames.MAX_HEADER + len]; // rare and small: not the data path's buffer
    int key = masking ? random.nextInt() : 0;
    int h = Frames.writeHeader(f, 0, true, opcode, len, masking, key);
    if (masking) {
      Frames.maskCopy(payload, 0, f, h, len, key);
    } else {
      System.arraycopy(payload, 0, f, h, len);
    }
    sink.sendFully(ByteBuffer.wrap(f, 0, h + len));
  }

  private void checkOpen() throws IOException {
    if (closeSent) {
      throw new IOException("the close frame was sent; nothing may follow it (RFC 6455 5.5.1)");
    }
  }
}
