package dev.protochain.layers.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The frame format against the examples of RFC 6455 section 5.7, masking and close payloads. */
class FramesTest {

  static byte[] hex(String h) {
    return HexFormat.of().parseHex(h.replace(" ", ""));
  }

  /* ---- headers ---- */

  @Test
  void anUnmaskedHelloIsTheRfcsExample() {
    byte[] f = new byte[16];
    int h = Frames.writeHeader(f, 0, true, Frames.TEXT, 5, false, 0);
    System.arraycopy("Hello".getBytes(StandardCharsets.US_ASCII), 0, f, h, 5);
    assertArrayEquals(hex("81 05 48 65 6c 6c 6f"), Arrays.copyOf(f, h + 5));
  }

  @Test
  void aMaskedHelloIsTheRfcsExample() {
    byte[] f = new byte[16];
    int key = 0x37fa213d;
    int h = Frames.writeHeader(f, 0, true, Frames.TEXT, 5, true, key);
    Frames.maskCopy("Hello".getBytes(StandardCharsets.US_ASCII), 0, f, h, 5, key);
    assertArrayEquals(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), Arrays.copyOf(f, h + 5));
  }

  @Test
  void lengthsTakeTwoFourOrTenHeaderBytes() {
    byte[] f = new byte[14];
    assertEquals(2, Frames.writeHeader(f, 0, true, Frames.BINARY, 125, false, 0));
    assertEquals(0x7d, f[1]);
    assertEquals(4, Frames.writeHeader(f, 0, true, Frames.BINARY, 256, false, 0));
    assertArrayEquals(hex("82 7e 01 00"), Arrays.copyOf(f, 4)); // RFC 5.7: 256 bytes
    assertEquals(4, Frames.writeHeader(f, 0, true, Frames.BINARY, 65535, false, 0));
    assertEquals(10, Frames.writeHeader(f, 0, true, Frames.BINARY, 65536, false, 0));
    assertArrayEquals(
        hex("82 7f 00 00 00 00 00 01 00 00"), Arrays.copyOf(f, 10)); // RFC 5.7: 64 KiB
    assertEquals(14, Frames.writeHeader(f, 0, false, Frames.CONTINUATION, 65536, true, 1));
    assertEquals(0x00, f[0]);
    assertEquals((byte) 0xff, f[1]);
    for (long n : new long[] {0, 125, 126, 65535, 65536, 1L << 40}) {
      assertEquals(
          Frames.headerLength(n, true), Frames.writeHeader(f, 0, true, Frames.BINARY, n, true, 7));
    }
  }

  /* ---- masking ---- */

  @Test
  void maskingAtAnyOffsetAndPositionMatchesTheBytewiseDefinition() {
    Random random = new Random(1);
    for (int round = 0; round < 500; round++) {
      int len = random.nextInt(40);
      int off = random.nextInt(9);
      long pos = random.nextInt(1000);
      int key = random.nextInt();
      byte[] a = new byte[off + len + 3];
      random.nextBytes(a);
      byte[] expected = a.clone();
      for (int i = 0; i < len; i++) {
        expected[off + i] ^= (byte) (key >>> (24 - 8 * (int) ((pos + i) & 3)));
      }
      byte[] heap = a.clone();
      Frames.mask(heap, off, len, key, pos);
      assertArrayEquals(expected, heap);
      ByteBuffer direct = ByteBuffer.allocateDirect(a.length).put(a);
      Frames.mask(direct, off, len, key, pos);
      byte[] fromDirect = new byte[a.length];
      direct.get(0, fromDirect);
      assertArrayEquals(expected, fromDirect);
      ByteBuffer slice = ByteBuffer.wrap(a.clone(), 2, a.length - 2).slice();
      if (off >= 2) {
        Frames.mask(slice, off - 2, len, key, pos);
        assertArrayEquals(expected, slice.array());
      }
    }
  }

  @Test
  void maskCopyMasksFromPositionZero() {
    byte[] src = new byte[37];
    new Random(2).nextBytes(src);
    byte[] dst = new byte[40];
    Frames.maskCopy(src, 0, dst, 3, src.length, 0xdeadbeef);
    Frames.mask(dst, 3, src.length, 0xdeadbeef, 0);
    assertArrayEquals(src, Arrays.copyOfRange(dst, 3, 40));
  }

  /* ---- close frames ---- */

  @Test
  void closePayloadsCarryTheCodeAndAReasonCutAtACharacter() throws Exception {
    assertArrayEquals(hex("03 e8"), Frames.closePayload(1000, ""));
    String reason = "é".repeat(100); // 200 bytes of UTF-8
    byte[] p = Frames.closePayload(1001, reason);
    assertEquals(124, p.length); // 2 + 122: the 123rd byte would cut a character
    Frames.Close c = Frames.readClose(p, 0, p.length);
    assertEquals(1001, c.code());
    assertEquals("é".repeat(61), c.reason());
    assertEquals("1001 going away 'ééé'", new Frames.Close(1001, "ééé").toString());
  }

  @Test
  void closeFramesWithoutACodeOrWithABadOneAreReadOrRefused() throws Exception {
    assertEquals(Frames.NO_STATUS, Frames.readClose(new byte[0], 0, 0).code());
    FrameException one =
        assertThrows(FrameException.class, () -> Frames.readClose(new byte[1], 0, 1));
    assertEquals(1002, one.status());
    assertEquals(
        "a close frame of 1 byte (expected: none, or a 2-byte status first)", one.getMessage());
    for (int bad : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
      assertFalse(Frames.isSendableStatus(bad), String.valueOf(bad));
      FrameException e =
          assertThrows(
              FrameException.class, () -> Frames.readClose(Frames.closePayload(bad, ""), 0, 2));
      assertEquals(1002, e.status());
    }
    for (int good : new int[] {1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999}) {
      assertTrue(Frames.isSendableStatus(good), String.valueOf(good));
    }
    FrameException utf8 =
        assertThrows(FrameException.class, () -> Frames.readClose(hex("03 e8 c3 28"), 0, 4));
    assertEquals(1007, utf8.status());
    assertEquals("a close frame (status 1000) whose reason is not UTF-8", utf8.getMessage());
  }

  @Test
  void namesSayWhatCodesAndOpcodesMean() {
    assertEquals("1009 message too big", Frames.statusName(1009));
    assertEquals("4000 application-defined", Frames.statusName(4000));
    assertEquals("0x3 (reserved)", Frames.opcodeName(3));
    assertEquals("continuation", Frames.opcodeName(0));
  }
}
