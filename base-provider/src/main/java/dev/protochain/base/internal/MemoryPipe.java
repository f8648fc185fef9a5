package dev.protochain.base.internal;

import dev.protochain.api.spi.AbstractBaseSocket;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of an in-memory stream connection: a bounded byte buffer between the socket that
 * writes and the socket that reads.
 *
 * <p>{@link #write} accepts at least one byte and at most the free space, blocking while the pipe
 * is full. The flags mirror TCP: the writer's {@link #shutOutput} gives the reader the end of the
 * stream after what remains; the reader's {@link #shutInput} makes its reads end at once and
 * discards what is written; the reader's {@link #closeReader} makes writes fail with {@code Broken
 * pipe}; {@link #reset} (an abortive close) makes both sides fail with {@code Connection reset}. A
 * side whose own end was shut or closed gets {@link ClosedChannelException}, which its socket
 * translates. The backing array grows on demand up to the capacity.
 *
 * <p>This class is thread-safe.
 */
final class MemoryPipe {

  private static final byte[] EMPTY = new byte[0];
  private static final int INITIAL_SIZE = 8192;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readable = lock.newCondition();
  private final Condition writable = lock.newCondition();
  // All guarded by lock.
  private byte[] buffer = EMPTY;
  private int head;
  private int count;
  private int capacity;
  private boolean outputShut;
  private boolean inputShut;
  private boolean readerClosed;
  private boolean reset;

  MemoryPipe(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Copies at least one and at most the free space's worth of bytes from {@code src}, blocking
   * while the pipe is full, and returns how many; 0 if {@code src} is empty.
   */
  int write(ByteBuffer src) throws IOException {
    lock.lock();
    try {
      while (true) {
        if (outputShut) {
          throw new ClosedChannelException();
        }
        if (reset) {
          throw new SocketException("Connection reset");
        }
        if (readerClosed) {
          throw new SocketException("Broken pipe");
        }
        int wanted = src.remaining();
        if (wanted == 0) {
          return 0;
        }
        if (inputShut) {
          src.position(src.limit()); // the reader shut its input: discarded, as TCP does
          return wanted;
        }
        int free = capacity - count;
        if (free > 0) {
          int n = Math.min(wanted, free);
          put(src, n);
          readable.signalAll();
          return n;
        }
        writable.await();
      }
    } catch (InterruptedException e) {
      throw AbstractBaseSocket.interrupted("send");
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves available bytes into {@code dst}, blocking until at least one is available, and returns
   * how many, or -1 at the end of the stream.
   *
   * @param timeoutNanos how long to wait for a byte; 0 waits without bound
   * @throws SocketTimeoutException if the timeout elapses
   */
  int read(ByteBuffer dst, long timeoutNanos) throws IOException {
    lock.lock();
    try {
      long left = timeoutNanos;
      while (true) {
        if (readerClosed) {
          throw new ClosedChannelException();
        }
        if (reset) {
          throw new SocketException("Connection reset");
        }
        if (inputShut) {
          return -1;
        }
        if (!dst.hasRemaining()) {
          return 0;
        }
        if (count > 0) {
          int n = take(dst);
          writable.signalAll();
          return n;
        }
        if (outputShut) {
          return -1;
        }
        if (timeoutNanos == 0) {
          readable.await();
        } else if (left <= 0) {
          throw new SocketTimeoutException(
              "Read timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        } else {
          left = readable.awaitNanos(left);
        }
      }
    } catch (InterruptedException e) {
      throw AbstractBaseSocket.interrupted("receive");
    } finally {
      lock.unlock();
    }
  }

  /** Ends the writer's side: the reader gets what remains, then -1; later writes fail. */
  void shutOutput() {
    update(() -> outputShut = true);
  }

  /** Ends the reader's side: its reads return -1 at once; what is written is discarded. */
  void shutInput() {
    update(
        () -> {
          inputShut = true;
          release();
        });
  }

  /** Marks the reader's socket closed: its blocked reads fail, the writer's writes break. */
  void closeReader() {
    update(
        () -> {
          readerClosed = true;
          release();
        });
  }

  /**
   * Ends the writer's side abortively, in one step: the writer's own operations see it shut, the
   * reader's see the reset (never the end of the stream first).
   */
  void shutOutputAndReset() {
    update(
        () -> {
          outputShut = true;
          reset = true;
          release();
        });
  }

  /**
   * Closes the reader's side abortively, in one step: the reader's own operations see it closed,
   * the writer's see the reset (never a broken pipe first).
   */
  void closeReaderAndReset() {
    update(
        () -> {
          readerClosed = true;
          reset = true;
          release();
        });
  }

  /** Resets the connection: both sides' pending and later operations fail; data is dropped. */
  void reset() {
    update(
        () -> {
          reset = true;
          release();
        });
  }

  /** Sets the capacity; a pipe holding more than a lowered capacity accepts nothing until read. */
  void setCapacity(int capacity) {
    update(() -> this.capacity = capacity);
  }

  /** Returns how many bytes wait to be read. */
  int pending() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  private void update(Runnable change) {
    lock.lock();
    try {
      change.run();
      readable.signalAll();
      writable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void release() {
    buffer = EMPTY;
    head = 0;
    count = 0;
  }

  private void put(ByteBuffer src, int n) {
    if (buffer.length - count < n) {
      grow(count + n);
    }
    int tail = (head + count) % buffer.length;
    int first = Math.min(n, buffer.length - tail);
    src.get(buffer, tail, first);
    src.get(buffer, 0, n - first);
    count += n;
  }

  private int take(ByteBuffer dst) {
    int n = Math.min(count, dst.remaining());
    int first = Math.min(n, buffer.length - head);
    dst.put(buffer, head, first);
    dst.put(buffer, 0, n - first);
    count -= n;
    head = count == 0 ? 0 : (head + n) % buffer.length;
    return n;
  }

  private void grow(int needed) {
    int size = Math.max(needed, Math.min(Math.max(INITIAL_SIZE, buffer.length * 2), capacity));
    byte[] grown = new byte[size];
    int first = Math.min(count, buffer.length - head);
    System.arraycopy(buffer, head, grown, 0, first);
    System.arraycopy(buffer, 0, grown, first, count - first);
    buffer = grown;
    head = 0;
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return "pipe["
          + count
          + "/"
          + capacity
          + " bytes"
          + (outputShut ? ", output shut" : "")
          + (inputShut ? ", input shut" : "")
          + (readerClosed ? ", reader closed" : "")
          + (reset ? ", reset" : "")
          + "]";
    } finally {
      lock.unlock();
    }
  }
}
