package dev.protochain.layers.websocket;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The RFC 6455 frame format (section 5.2): opcodes, headers of 2, 4 or 10 bytes plus a 4-byte mask
 * key, XOR masking, and the close status codes of section 7.4. Pure functions; no I/O.
 *
 * <pre>
 * byte 0: FIN (0x80) | RSV1-3 (0x70, 0 without extensions) | opcode (0x0f)
 * byte 1: MASK (0x80) | length 0-125, or 126 (2 more bytes), or 127 (8 more bytes, top bit 0)
 * then the mask key (4 bytes) if MASK, then the payload
 * </pre>
 */
final class Frames {

  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xa;

  /** The longest header: 2 bytes, an 8-byte length and a mask key. */
  static final int MAX_HEADER = 14;

  /** The longest payload of a control frame (close, ping, pong). */
  static final int MAX_CONTROL = 125;

  /* ---- close status codes (section 7.4.1) ---- */

  static final int NORMAL = 1000;
  static final int GOING_AWAY = 1001;
  static final int PROTOCOL_ERROR = 1002;
  static final int UNSUPPORTED_DATA = 1003;
  static final int NO_STATUS = 1005;
  static final int ABNORMAL = 1006;
  static final int INVALID_DATA = 1007;
  static final int POLICY = 1008;
  static final int TOO_BIG = 1009;
  static final int INTERNAL_ERROR = 1011;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private Frames() {}

  /** Returns whether {@code opcode} is a control frame's (close, ping, pong). */
  static boolean isControl(int opcode) {
    return (opcode & 0x8) != 0;
  }

  /** Returns the opcode's name as RFC 6455 gives it, or {@code 0x3 (reserved)}. */
  static String opcodeName(int opcode) {
    return switch (opcode) {
      case CONTINUATION -> "continuation";
      case TEXT -> "text";
      case BINARY -> "binary";
      case CLOSE -> "close";
      case PING -> "ping";
      case PONG -> "pong";
      default -> String.format(java.util.Locale.ROOT, "0x%x (reserved)", opcode);
    };
  }

  /** Returns the header length of a frame with {@code length} payload bytes. */
  static int headerLength(long length, boolean masked) {
    int n = length <= 125 ? 2 : length <= 0xffff ? 4 : 10;
    return masked ? n + 4 : n;
  }

  /**
   * Writes a frame header into {@code dst} at {@code off} and returns its length. The length is
   * encoded in the fewest bytes, as section 5.2 requires.
   */
  static int writeHeader(
      byte[] dst, int off, boolean fin, int opcode, long length, boolean masked, int maskKey) {
    dst[off] = (byte) ((fin ? 0x80 : 0) | opcode);
    int maskBit = masked ? 0x80 : 0;
    int p = off + 2;
    if (length <= 125) {
      dst[off + 1] = (byte) (maskBit | (int) length);
    } else if (length <= 0xffff) {
      dst[off + 1] = (byte) (maskBit | 126);
      dst[p++] = (byte) (length >>> 8);
      dst[p++] = (byte) length;
    } else {
      dst[off + 1] = (byte) (maskBit | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        dst[p++] = (byte) (length >>> shift);
      }
    }
    if (masked) {
      dst[p++] = (byte) (maskKey >>> 24);
      dst[p++] = (byte) (maskKey >>> 16);
      dst[p++] = (byte) (maskKey >>> 8);
      dst[p++] = (byte) maskKey;
    }
    return p - off;
  }

  /**
   * Returns the 8 mask bytes that apply from payload position {@code pos} on, as a little-endian
   * long: byte {@code j} is key byte {@code (pos + j) % 4}, the key's first byte being its top one.
   */
  private static long wideKey(int maskKey, long pos) {
    int rotated = Integer.rotateLeft(maskKey, (int) (pos & 3) * 8); // key byte pos%4 first
    int le = Integer.reverseBytes(rotated); // first key byte lowest, as little-endian reads it
    return (le & 0xffffffffL) | ((long) le << 32);
  }

  /**
   * XORs {@code len} bytes of {@code a} from {@code off} with the mask, the first of them being
   * payload byte {@code pos} (section 5.3). Masking twice unmasks.
   */
  static void mask(byte[] a, int off, int len, int maskKey, long pos) {
    long k = wideKey(maskKey, pos);
    int i = off;
    int end = off + len;
    for (; i <= end - 8; i += 8) {
      LONGS.set(a, i, (long) LONGS.get(a, i) ^ k);
    }
    for (; i < end; i++) {
      a[i] ^= (byte) k;
      k = Long.rotateRight(k, 8);
    }
  }

  /**
   * Copies {@code len} bytes from {@code src} (at {@code srcOff}) to {@code dst} (at {@code
   * dstOff}), masked as {@link #mask(byte[], int, int, int, long)} masks them, in one pass.
   */
  static void maskCopy(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int maskKey) {
    long k = wideKey(maskKey, 0);
    int i = 0;
    for (; i <= len - 8; i += 8) {
      LONGS.set(dst, dstOff + i, (long) LONGS.get(src, srcOff + i) ^ k);
    }
    for (; i < len; i++) {
      dst[dstOff + i] = (byte) (src[srcOff + i] ^ (byte) k);
      k = Long.rotateRight(k, 8);
    }
  }

  /**
   * XORs the bytes of {@code buf} at absolute indices {@code [from, from + len)} with the mask, the
   * first being payload byte {@code pos}; a heap buffer in place through its array.
   */
  static void mask(ByteBuffer buf, int from, int len, int maskKey, long pos) {
    if (buf.hasArray()) {
      mask(buf.array(), buf.arrayOffset() + from, len, maskKey, pos);
      return;
    }
    long k = wideKey(maskKey, pos);
    ByteBuffer le = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int i = from;
    int end = from + len;
    for (; i <= end - 8; i += 8) {
      le.putLong(i, le.getLong(i) ^ k);
    }
    for (; i < end; i++) {
      buf.put(i, (byte) (buf.get(i) ^ (byte) k));
      k = Long.rotateRight(k, 8);
    }
  }

  /* ---- close frames ---- */

  /**
   * Returns whether {@code code} may be sent in a close frame (section 7.4): 1000-1003, 1007-1014,
   * or 3000-4999 (registered and private use); never 1004-1006, 1015 or what is unassigned.
   */
  static boolean isSendableStatus(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  /** Returns the meaning of a status code, for messages: {@code 1002 protocol error}. */
  static String statusName(int code) {
    String name =
        switch (code) {
          case NORMAL -> "normal closure";
          case GOING_AWAY -> "going away";
          case PROTOCOL_ERROR -> "protocol error";
          case UNSUPPORTED_DATA -> "unsupported data";
          case NO_STATUS -> "no status";
          case ABNORMAL -> "abnormal closure";
          case INVALID_DATA -> "invalid frame payload data";
          case POLICY -> "policy violation";
          case TOO_BIG -> "message too big";
          case 1010 -> "mandatory extension";
          case INTERNAL_ERROR -> "internal error";
          case 1012 -> "service restart";
          case 1013 -> "try again later";
          case 1014 -> "bad gateway";
          default -> code >= 3000 && code <= 4999 ? "application-defined" : "not a valid code";
        };
    return code + " " + name;
  }

  /**
   * Returns the payload of a close frame with {@code code} and {@code reason}, the reason cut at a
   * character boundary so that the whole payload fits {@value #MAX_CONTROL} bytes.
   */
  static byte[] closePayload(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(text.length, MAX_CONTROL - 2);
    while (n < text.length && n > 0 && (text[n] & 0xc0) == 0x80) {
      n--; // never end inside a UTF-8 sequence
    }
    byte[] p = new byte[2 + n];
    p[0] = (byte) (code >>> 8);
    p[1] = (byte) code;
    System.arraycopy(text, 0, p, 2, n);
    return p;
  }

  /** A received close frame: its status ({@link #NO_STATUS} when it had none) and reason. */
  record Close(int code, String reason) {
    @Override
    public String toString() {
      return statusName(code) + (reason.isEmpty() ? "" : " '" + reason + "'");
    }
  }

  /**
   * Reads a close frame's payload ({@code len} bytes of {@code p} from {@code off}).
   *
   * @throws FrameException with status 1002 for a payload of one byte or a code that may not be
   *     sent, 1007 for a reason that is not UTF-8
   */
  static Close readClose(byte[] p, int off, int len) throws FrameException {
    if (len == 0) {
      return new Close(NO_STATUS, "");
    }
    if (len == 1) {
      throw new FrameException(
          PROTOCOL_ERROR, "a close frame of 1 byte (expected: none, or a 2-byte status first)");
    }
    int code = ((p[off] & 0xff) << 8) | (p[off + 1] & 0xff);
    if (!isSendableStatus(code)) {
      throw new FrameException(
          PROTOCOL_ERROR,
          "a close frame with status " + code + ", which may not be sent (RFC 6455 7.4)");
    }
    try {
      String reason =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(p, off + 2, len - 2))
              .toString();
      return new Close(code, reason);
    } catch (CharacterCodingException e) {
      throw new FrameException(
          INVALID_DATA, "a close frame (status " + code + ") whose reason is not UTF-8");
    }
  }
}
