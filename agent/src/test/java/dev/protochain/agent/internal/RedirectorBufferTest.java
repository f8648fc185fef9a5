package dev.protochain.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** How a relay pump's buffer grows: only when a read fills it, four times over, up to 1 MiB. */
class RedirectorBufferTest {

  private static ByteBuffer readInto(ByteBuffer buffer, int bytes) {
    buffer.clear();
    buffer.put(new byte[bytes]);
    return buffer.flip();
  }

  @Test
  void aReadThatFillsTheBufferMovesToOneFourTimesLargerUpToOneMib() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    int[] expected = {256 * 1024, 1024 * 1024, 1024 * 1024};
    for (int capacity : expected) {
      ByteBuffer next = Redirector.grown(readInto(buffer, buffer.capacity()));
      assertEquals(capacity, next.capacity());
      assertTrue(next.isDirect(), "a base over NIO channels reads and writes it in place");
      buffer = next;
    }
  }

  @Test
  void aReadThatLeavesRoomKeepsTheBuffer() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    assertSame(buffer, Redirector.grown(readInto(buffer, 64 * 1024 - 1)));
    assertSame(buffer, Redirector.grown(readInto(buffer, 0)));
  }
}
