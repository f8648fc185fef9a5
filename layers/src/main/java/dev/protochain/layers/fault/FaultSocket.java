package dev.protochain.layers.fault;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.ForwardingSocket;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * A socket that draws its faults from its own generator before each operation; the draws are made
 * under the generator's own monitor only, and a delay waits holding nothing.
 */
final class FaultSocket extends ForwardingSocket {

  private static final long POLL_NANOS = 5_000_000;

  private final FaultLayer layer;
  private final int number;
  private final Random random; // guarded by itself
  private int operations; // guarded by random
  private volatile boolean closed;

  FaultSocket(FaultLayer layer, ChainSocket below, int number, Random random) {
    super(below);
    this.layer = layer;
    this.number = number;
    this.random = random;
  }

  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    return layer.newSocket(acceptedBelow);
  }

  /** One operation's draws, in the documented order. */
  private record Draw(int operation, boolean delay, boolean fault, int shortLength) {}

  private Draw draw(boolean faultable, boolean shortable, int remaining) {
    synchronized (random) {
      int op = ++operations;
      boolean delay = random.nextDouble() < layer.delayProbability();
      if (!faultable) {
        return new Draw(op, delay, false, -1);
      }
      boolean stream = type() == SocketType.STREAM;
      boolean fault =
          random.nextDouble() < (stream ? layer.resetProbability() : layer.dropProbability());
      int shortLength = -1;
      if (shortable && random.nextDouble() < layer.shortWriteProbability() && remaining >= 2) {
        shortLength = 1 + random.nextInt(remaining - 1);
      }
      return new Draw(op, delay, fault, shortLength);
    }
  }

  private void delayIf(Draw d, String op) throws IOException {
    if (!d.delay()) {
      return;
    }
    long deadline = System.nanoTime() + layer.delay().toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      if (closed) {
        throw new AsynchronousCloseException();
      }
      if (layer.unloaded()) {
        throw new ProtochainException(
            ProtochainException.Code.OPERATION_ABORTED,
            op + " aborted during an injected delay: " + layer.describe() + " was unloaded");
      }
      LockSupport.parkNanos(Math.min(left, POLL_NANOS));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(
            op + " interrupted during a delay injected by " + layer.describe());
      }
    }
  }

  private SocketException reset(Draw d, String op) {
    SocketException e =
        new SocketException(
            "Connection reset: injected by "
                + layer.describe()
                + ", socket "
                + number
                + ", "
                + op
                + " "
                + d.operation());
    try {
      below().setOption(StandardSocketOptions.SO_LINGER, 0);
    } catch (IOException | RuntimeException noLinger) {
      e.addSuppressed(noLinger);
    }
    try {
      below().close();
    } catch (IOException | RuntimeException closing) {
      e.addSuppressed(closing);
    }
    return e;
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    delayIf(draw(false, false, 0), "connect");
    super.connect(remote, timeout);
  }

  @Override
  public int send(ByteBuffer src) throws IOException {
    boolean stream = type() == SocketType.STREAM;
    Draw d = draw(true, stream, src.remaining());
    delayIf(d, "send");
    if (stream) {
      if (d.fault()) {
        throw reset(d, "send");
      }
      if (d.shortLength() > 0) {
        int limit = src.limit();
        src.limit(src.position() + d.shortLength());
        try {
          return super.send(src);
        } finally {
          src.limit(limit);
        }
      }
      return super.send(src);
    }
    if (d.fault()) {
      int n = src.remaining();
      src.position(src.limit()); // dropped: consumed, never sent
      return n;
    }
    return super.send(src);
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    boolean stream = type() == SocketType.STREAM;
    Draw d = draw(stream, false, 0);
    delayIf(d, "receive");
    if (d.fault()) {
      throw reset(d, "receive");
    }
    return super.receive(dst);
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
    Draw d = draw(type() == SocketType.DATAGRAM, false, 0);
    delayIf(d, "sendTo");
    if (d.fault()) {
      int n = src.remaining();
      src.position(src.limit());
      return n;
    }
    return super.sendTo(src, target);
  }

  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) throws IOException {
    delayIf(draw(false, false, 0), "receiveFrom");
    return super.receiveFrom(dst);
  }

  @Override
  public void close() throws IOException {
    closed = true; // ends a delay in progress
    super.close();
  }

  /** Returns {@code FaultSocket[3] -> ...}. */
  @Override
  public String toString() {
    return "FaultSocket[" + number + "] -> " + below();
  }
}
