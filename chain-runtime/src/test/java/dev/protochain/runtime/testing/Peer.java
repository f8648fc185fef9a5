package dev.protochain.runtime.testing;

import com.sun.management.ThreadMXBean;
import dev.protochain.api.ChainSocket;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Helpers for fuzzing what a peer sends: mutations of valid bytes, a writer thread that sends them
 * and ends its output (so a layer blocked on a full pipe is never what stalls a case), and the
 * bytes a thread has allocated, read from the JVM's own per-thread counter rather than from a hook
 * in the code under test.
 */
public final class Peer {

  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Peer() {}

  /**
   * One change to the bytes a peer sends; {@code at} and {@code value} are reduced to what fits.
   */
  public record Mutation(int kind, int at, int length, int value) {}

  /**
   * Returns {@code bytes} changed by {@code m}: a bit flipped (kind 0), cut at {@code at} (1), a
   * range deleted (2), random bytes inserted (3), a range repeated (4), or a big-endian field of
   * {@code length % 4 + 1} bytes at {@code at} overwritten with a boundary value (5 and up: 0, 1,
   * all ones, the top bit, or {@code value} itself), the way a length field is forged.
   */
  public static byte[] mutate(byte[] bytes, Mutation m) {
    int n = bytes.length;
    int at = n == 0 ? 0 : Math.floorMod(m.at(), n);
    Random random = new Random(m.value());
    switch (m.kind()) {
      case 0:
        {
          if (n == 0) {
            return bytes;
          }
          byte[] out = bytes.clone();
          out[at] ^= (byte) (1 << Math.floorMod(m.value(), 8));
          return out;
        }
      case 1:
        return Arrays.copyOf(bytes, Math.floorMod(m.at(), n + 1));
      case 2:
        return concat(
            Arrays.copyOf(bytes, at), Arrays.copyOfRange(bytes, Math.min(n, at + m.length()), n));
      case 3:
        {
          byte[] noise = new byte[m.length()];
          random.nextBytes(noise);
          return concat(concat(Arrays.copyOf(bytes, at), noise), Arrays.copyOfRange(bytes, at, n));
        }
      case 4:
        return concat(
            Arrays.copyOf(bytes, Math.min(n, at + m.length())), Arrays.copyOfRange(bytes, at, n));
      default:
        {
          byte[] out = bytes.clone();
          int width = Math.floorMod(m.length(), 4) + 1;
          long[] values = {0, 1, -1, 1L << (8 * width - 1), m.value()};
          long v = values[Math.floorMod(m.kind() + m.value(), values.length)];
          for (int i = 0; i < width && at + i < n; i++) {
            out[at + i] = (byte) (v >>> (8 * (width - 1 - i)));
          }
          return out;
        }
    }
  }

  /** Returns {@code bytes} changed by each mutation in turn. */
  public static byte[] mutate(byte[] bytes, List<Mutation> mutations) {
    for (Mutation m : mutations) {
      bytes = mutate(bytes, m);
    }
    return bytes;
  }

  public static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * Starts a daemon thread that sends {@code bytes} through {@code socket} and then, unless {@code
   * hold}, shuts its output down; a failure (the other side gave up and closed) ends it quietly.
   */
  public static Thread write(ChainSocket socket, byte[] bytes, boolean hold) {
    return start(
        "fuzz peer writer",
        () -> {
          try {
            socket.sendFully(ByteBuffer.wrap(bytes));
            if (!hold) {
              socket.shutdownOutput();
            }
          } catch (IOException | RuntimeException closedByTheCase) {
            // The side under test stopped reading and the case closed the connection: nothing to
            // send to.
          }
        });
  }

  /**
   * Starts a daemon thread reading {@code socket} until its end, passing what it reads to {@code
   * sink}.
   */
  public static Thread drain(ChainSocket socket, Consumer<byte[]> sink) {
    return start(
        "fuzz peer reader",
        () -> {
          ByteBuffer buf = ByteBuffer.allocate(8192);
          try {
            while (socket.receive(buf.clear()) >= 0) {
              sink.accept(Arrays.copyOf(buf.array(), buf.position()));
            }
          } catch (IOException | RuntimeException closedByTheCase) {
            // The case closed the connection.
          }
        });
  }

  private static Thread start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Returns how many bytes the current thread has allocated on the heap so far. */
  public static long allocated() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /**
   * Waits for {@code threads} to end, at most {@code millis} each; returns the names of those still
   * running.
   */
  public static List<String> join(long millis, Thread... threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join(millis);
    }
    return Arrays.stream(threads).filter(Thread::isAlive).map(Thread::getName).toList();
  }
}
