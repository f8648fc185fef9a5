package dev.protochain.testkit.internal;

import dev.protochain.api.ChainSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stream echo server on a listening chain socket, and the client side of one echo exchange. Each
 * accepted connection is echoed on its own thread, with a receive buffer of an odd size so that
 * reads and writes are partial.
 */
public final class Echo implements AutoCloseable {

  private final ChainSocket listener;
  private final int bufferSize;
  private final ExecutorService pool;
  private final List<Future<?>> handlers = new ArrayList<>();
  private final List<Throwable> failures = new ArrayList<>();
  private final Future<?> acceptLoop;
  private volatile boolean closing;

  private Echo(ChainSocket listener, int bufferSize, ExecutorService pool) {
    this.listener = listener;
    this.bufferSize = bufferSize;
    this.pool = pool;
    this.acceptLoop = pool.submit(this::acceptLoop);
  }

  /**
   * Starts echoing every connection {@code listener} accepts, reading {@code bufferSize} bytes at
   * most at a time.
   */
  public static Echo serve(ChainSocket listener, int bufferSize, ExecutorService pool) {
    return new Echo(listener, bufferSize, pool);
  }

  private Void acceptLoop() {
    while (true) {
      ChainSocket peer;
      try {
        peer = listener.accept();
      } catch (IOException | RuntimeException e) {
        if (!closing) {
          fail(e);
        }
        return null;
      }
      synchronized (handlers) {
        handlers.add(pool.submit(() -> echo(peer)));
      }
    }
  }

  private Void echo(ChainSocket peer) {
    try (peer) {
      ByteBuffer buf = ByteBuffer.allocate(bufferSize);
      while (peer.receive(buf.clear()) >= 0) {
        peer.sendFully(buf.flip());
      }
      peer.shutdownOutput();
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
    return null;
  }

  private void fail(Throwable e) {
    synchronized (failures) {
      failures.add(e);
    }
  }

  /** Returns how many connections were accepted so far. */
  public int accepted() {
    synchronized (handlers) {
      return handlers.size();
    }
  }

  /**
   * Stops accepting, waits for every connection's echo to end, and throws the first failure of any
   * of them.
   *
   * @throws AssertionError if a connection's echo failed or did not end within a minute
   */
  @Override
  public void close() throws IOException {
    closing = true;
    listener.close();
    try {
      acceptLoop.get(30, TimeUnit.SECONDS);
      List<Future<?>> all;
      synchronized (handlers) {
        all = List.copyOf(handlers);
      }
      for (Future<?> f : all) {
        f.get(60, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while stopping the echo server");
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("the echo server did not stop: " + e, e);
    }
    synchronized (failures) {
      if (!failures.isEmpty()) {
        AssertionError e =
            new AssertionError("the echo server failed: " + failures.get(0), failures.get(0));
        failures.subList(1, failures.size()).forEach(e::addSuppressed);
        throw e;
      }
    }
  }

  /**
   * Sends {@code payload} on {@code socket} from another thread in chunks of 1 to {@code maxChunk}
   * bytes while this thread receives the echo with a buffer of {@code readSize} bytes, and returns
   * what came back.
   *
   * <p>With {@code halfClose} the sender shuts the output down after the last chunk and the echo is
   * read to the end of the stream. Without it (a path that ends both directions at the first end of
   * stream, such as a proxy without half-close) the echo is read until as many bytes came back as
   * were sent, and only then is the output shut down; the stream must then end with no byte more.
   * With {@code window} above 0 the sender never has more than {@code window} bytes sent and not
   * yet received back (a relay that cannot carry both directions at once stalls when both are
   * full).
   *
   * @throws AssertionError if more bytes come back than were sent, or the echo of a full window
   *     does not come back within a minute
   */
  public static byte[] exchange(
      ChainSocket socket,
      byte[] payload,
      int maxChunk,
      int readSize,
      long seed,
      boolean halfClose,
      int window,
      ExecutorService pool)
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    Semaphore credit = window > 0 ? new Semaphore(window) : null;
    Future<?> sending =
        pool.submit(
            () -> {
              Random sizes = new Random(seed);
              ByteBuffer src = ByteBuffer.wrap(payload);
              while (src.hasRemaining()) {
                ByteBuffer chunk = src.slice();
                int n = Math.min(chunk.remaining(), 1 + sizes.nextInt(maxChunk));
                if (credit != null) {
                  // Sends what the window allows now, at least one byte: waiting for room for the
                  // whole
                  // chunk would empty the path before each send.
                  if (!credit.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new AssertionError(
                        "no echo of the " + window + " bytes in flight came back within 60 s");
                  }
                  int more = credit.drainPermits();
                  n = Math.min(n, 1 + more);
                  credit.release(1 + more - n);
                }
                chunk.limit(n);
                socket.sendFully(chunk);
                src.position(src.position() + n);
              }
              if (halfClose) {
                socket.shutdownOutput();
              }
              return null;
            });
    ByteBuffer back = ByteBuffer.allocate(payload.length);
    ByteBuffer in = ByteBuffer.allocate(readSize);
    boolean shut = halfClose;
    while (true) {
      if (!shut && !back.hasRemaining()) {
        sending.get(60, TimeUnit.SECONDS);
        socket.shutdownOutput();
        shut = true;
      }
      int n = socket.receive(in.clear());
      if (n < 0) {
        break;
      }
      in.flip();
      if (in.remaining() > back.remaining()) {
        throw new AssertionError(
            "the echo returned more than the " + payload.length + " bytes sent");
      }
      back.put(in);
      if (credit != null) {
        credit.release(n);
      }
    }
    sending.get(60, TimeUnit.SECONDS);
    byte[] out = new byte[back.position()];
    back.flip().get(out);
    return out;
  }

  /**
   * Sends all of {@code payload} in chunks of 1 to {@code maxChunk} bytes, sizes drawn from {@code
   * seed}.
   */
  public static void sendInChunks(ChainSocket socket, byte[] payload, int maxChunk, long seed)
      throws IOException {
    Random sizes = new Random(seed);
    ByteBuffer src = ByteBuffer.wrap(payload);
    while (src.hasRemaining()) {
      ByteBuffer chunk = src.slice();
      chunk.limit(Math.min(chunk.remaining(), 1 + sizes.nextInt(maxChunk)));
      socket.sendFully(chunk);
      src.position(src.position() + chunk.position());
    }
  }
}
