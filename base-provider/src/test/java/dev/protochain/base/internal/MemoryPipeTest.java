package dev.protochain.base.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ring buffer and the flags of one pipe direction, without sockets around it. */
@Timeout(value = 5, unit = TimeUnit.SECONDS)
class MemoryPipeTest {

  @Test
  void bytesWrapAroundTheRingAndSurviveGrowing() throws Exception {
    MemoryPipe pipe = new MemoryPipe(10);
    assertEquals(8, pipe.write(ascii("abcdefgh")));
    assertEquals("abcdef", read(pipe, 6));
    assertEquals(8, pipe.write(ascii("ijklmnop")), "wraps past the end of the array");
    assertEquals(10, pipe.pending());
    pipe.setCapacity(100);
    assertEquals(20, pipe.write(ascii("qrstuvwxyz0123456789")), "grows, keeping the wrapped bytes");
    assertEquals("ghijklmnopqrstuvwxyz0123456789", read(pipe, 64));
    assertEquals(0, pipe.pending());
  }

  @Test
  void writeAcceptsAtMostTheFreeSpace() throws Exception {
    MemoryPipe pipe = new MemoryPipe(4);
    ByteBuffer src = ascii("0123456789");
    assertEquals(4, pipe.write(src));
    assertEquals(4, src.position());
    assertEquals("01", read(pipe, 2));
    assertEquals(2, pipe.write(src));
    assertEquals("2345", read(pipe, 10));
  }

  @Test
  void readTimesOutWithTheElapsedTimeInTheMessage() {
    MemoryPipe pipe = new MemoryPipe(4);
    SocketTimeoutException e =
        assertThrows(
            SocketTimeoutException.class,
            () -> pipe.read(ByteBuffer.allocate(1), TimeUnit.MILLISECONDS.toNanos(30)));
    assertEquals("Read timed out after 30 ms", e.getMessage());
  }

  @Test
  void flagsDecideWhatEachSideSees() throws Exception {
    MemoryPipe shut = new MemoryPipe(8);
    shut.write(ascii("end"));
    shut.shutOutput();
    assertEquals("end", read(shut, 8));
    assertEquals(-1, shut.read(ByteBuffer.allocate(1), 0));
    assertThrows(ClosedChannelException.class, () -> shut.write(ascii("x")));

    MemoryPipe inputShut = new MemoryPipe(1);
    inputShut.shutInput();
    assertEquals(5, inputShut.write(ascii("lost!")), "discarded, not refused");
    assertEquals(-1, inputShut.read(ByteBuffer.allocate(1), 0));

    MemoryPipe readerClosed = new MemoryPipe(8);
    readerClosed.closeReader();
    assertEquals(
        "Broken pipe",
        assertThrows(SocketException.class, () -> readerClosed.write(ascii("x"))).getMessage());
    assertThrows(ClosedChannelException.class, () -> readerClosed.read(ByteBuffer.allocate(1), 0));

    MemoryPipe reset = new MemoryPipe(8);
    reset.write(ascii("dropped"));
    reset.reset();
    assertEquals(
        "Connection reset",
        assertThrows(SocketException.class, () -> reset.read(ByteBuffer.allocate(8), 0))
            .getMessage());
    assertEquals(
        "Connection reset",
        assertThrows(SocketException.class, () -> reset.write(ascii("x"))).getMessage());
  }

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static String read(MemoryPipe pipe, int max) throws Exception {
    ByteBuffer dst = ByteBuffer.allocate(max);
    pipe.read(dst, 0);
    dst.flip();
    return StandardCharsets.US_ASCII.decode(dst).toString();
  }
}
