package dev.protochain.layers.websocket;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * Encodes frames: the application's bytes as final binary frames (one message each: a stream has no
 * message boundaries to keep), and control frames. A client masks every frame with a fresh key from
 * a {@link SecureRandom} (section 5.3), copying and masking the payload in one pass; a server masks
 * none. Thread-safe: it keeps no state but the random source, which is.
 */
final class FrameEncoder {

  private final boolean masking;
  private final SecureRandom random;

  /** Creates an encoder; {@code masking} for the client end. */
  FrameEncoder(boolean masking) {
    this.masking = masking;
    this.random = masking ? new SecureRandom() : null;
  }

  /** Returns the room {@link #encode} needs for payloads of up to {@code maxPayload} bytes. */
  static int maxEncodedLength(int maxPayload) {
    return Frames.MAX_HEADER + maxPayload;
  }

  /**
   * Encodes one binary message from the start of {@code src} (not empty) into {@code out}, taking
   * as many bytes as fit, at least one, and advancing {@code src} past them.
   */
  void encode(ByteBuffer src, ByteBuffer out) {
    int room = out.remaining() - Frames.MAX_HEADER;
    int n = Math.min(src.remaining(), room);
    int key = masking ? random.nextInt() : 0;
    byte[] f = out.array();
    int at = out.arrayOffset() + out.position();
    int h = Frames.writeHeader(f, at, true, Frames.BINARY, n, masking, key);
    if (src.hasArray()) {
      int from = src.arrayOffset() + src.position();
      if (masking) {
        Frames.maskCopy(src.array(), from, f, at + h, n, key);
      } else {
        System.arraycopy(src.array(), from, f, at + h, n);
      }
      src.position(src.position() + n);
    } else {
      src.get(f, at + h, n);
      if (masking) {
        Frames.mask(f, at + h, n, key, 0);
      }
    }
    out.position(out.position() + h + n);
  }

  /** Returns a whole control frame (close, ping, pong) carrying {@code len} bytes of {@code p}. */
  ByteBuffer control(int opcode, byte[] p, int len) {
    byte[] f = new byte[Frames.MAX_HEADER + len]; // rare and small: not the data path's buffer
    int key = masking ? random.nextInt() : 0;
    int h = Frames.writeHeader(f, 0, true, opcode, len, masking, key);
    if (masking) {
      Frames.maskCopy(p, 0, f, h, len, key);
    } else {
      System.arraycopy(p, 0, f, h, len);
    }
    return ByteBuffer.wrap(f, 0, h + len);
  }

  /** Returns a close frame with {@code code} and {@code reason} (cut to fit). */
  ByteBuffer close(int code, String reason) {
    byte[] p = Frames.closePayload(code, reason);
    return control(Frames.CLOSE, p, p.length);
  }
}
