package dev.protochain.testkit.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Random payloads and their SHA-256 digests. */
public final class Payloads {

  private Payloads() {}

  /** Returns {@code size} random bytes, the same for the same seed. */
  public static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /**
   * Returns {@code size} bytes, the same for the same seed, alternating stretches of 1 to 8 KiB of
   * random bytes and of a short random pattern repeated: neither all noise nor all redundancy, so a
   * transforming layer (compression, say) meets both.
   */
  public static byte[] mixed(int size, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[size];
    int at = 0;
    boolean noise = true;
    while (at < size) {
      int n = Math.min(size - at, 1024 + r.nextInt(7 * 1024));
      if (noise) {
        byte[] chunk = new byte[n];
        r.nextBytes(chunk);
        System.arraycopy(chunk, 0, b, at, n);
      } else {
        byte[] pattern = new byte[1 + r.nextInt(16)];
        r.nextBytes(pattern);
        for (int i = 0; i < n; i++) {
          b[at + i] = pattern[i % pattern.length];
        }
      }
      at += n;
      noise = !noise;
    }
    return b;
  }

  /** Returns a fresh SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Returns the SHA-256 of {@code bytes} in hex. */
  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  /** Returns the SHA-256 of the remaining bytes of {@code buffer} in hex, leaving it unchanged. */
  public static String sha256(ByteBuffer buffer) {
    MessageDigest d = sha256();
    d.update(buffer.duplicate());
    return HexFormat.of().formatHex(d.digest());
  }
}
