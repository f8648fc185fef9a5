package dev.protochain.layers.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Idle heap buffers of one size that a layer's sockets take while they hold bytes and give back
 * when they hold none, so that a socket holding nothing keeps no buffer. Lock-free: every send of
 * every socket of the layer may pass here, thousands of them at once, and a queue behind one lock
 * made them wait on each other. Each call starts at a random slot, so that concurrent callers
 * rarely meet on one.
 *
 * <p>This class is thread-safe.
 */
public final class BufferPool {

  private final int size;
  private final AtomicReferenceArray<ByteBuffer> slots;

  /** Makes an empty pool of buffers of {@code size} bytes keeping at most {@code slots} idle. */
  public BufferPool(int size, int slots) {
    this.size = size;
    this.slots = new AtomicReferenceArray<>(Math.max(1, slots));
  }

  /** Returns an empty buffer of the pool's size: an idle one if there is one, else a new one. */
  public ByteBuffer take() {
    int n = slots.length();
    int start = ThreadLocalRandom.current().nextInt(n);
    for (int i = 0; i < n; i++) {
      int k = (start + i) % n;
      ByteBuffer b = slots.get(k);
      if (b != null && slots.compareAndSet(k, b, null)) {
        return b;
      }
    }
    return ByteBuffer.allocate(size);
  }

  /** Takes back a buffer its user no longer holds; dropped when every slot is taken. */
  public void giveBack(ByteBuffer buffer) {
    buffer.clear();
    int n = slots.length();
    int start = ThreadLocalRandom.current().nextInt(n);
    for (int i = 0; i < n; i++) {
      int k = (start + i) % n;
      if (slots.get(k) == null && slots.compareAndSet(k, null, buffer)) {
        return;
      }
    }
  }
}
