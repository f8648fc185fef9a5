package dev.protochain.layers.ratelimit;

import com.google.common.util.concurrent.RateLimiter;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.ForwardingSocket;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A socket whose operations take permits from its {@link Limits} first. A wait polls the limiter
 * without holding any lock, so it never blocks another thread, and ends when the socket closes or
 * the layer unloads. Its data path calls the socket below directly, not through {@code super}: one
 * frame fewer on the stack of every blocked receive (a parked virtual thread keeps its frames). And
 * it forwards {@link #flush}, {@link #shutdownOutput} and {@link #close} itself, rather than
 * inherit {@link ForwardingSocket}'s: an inherited method's call below is one call site for every
 * layer of the chain that inherits it, and over two such layers C2 sees two receivers there and
 * compiles the rest of the chain into it twice (measured: 90 kB of code and seconds of compile time
 * for {@code flush} alone at 10,000 connections over {@code [ratelimit, filter, coalesce, tcp4]}).
 */
final class RateLimitSocket extends ForwardingSocket {

  private static final long POLL_NANOS = 2_000_000;

  private final RateLimitLayer layer;
  private final Limits limits;
  private volatile boolean closed;

  RateLimitSocket(RateLimitLayer layer, ChainSocket below) {
    super(below);
    this.layer = layer;
    this.limits = layer.limitsForSocket();
  }

  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    return new RateLimitSocket(layer, acceptedBelow);
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    operation("connect");
    below().connect(remote, timeout);
  }

  @Override
  public ChainSocket accept() throws IOException {
    operation("accept");
    return super.accept();
  }

  @Override
  public int send(ByteBuffer src) throws IOException {
    operation("send");
    if (limits.sent == null || !src.hasRemaining()) {
      return below().send(src);
    }
    if (type() == SocketType.DATAGRAM) {
      take(limits.sent, src.remaining(), "send");
      return below().send(src);
    }
    int n = Math.min(src.remaining(), limits.chunk);
    take(limits.sent, n, "send");
    int limit = src.limit();
    src.limit(src.position() + n);
    try {
      return below().send(src);
    } finally {
      src.limit(limit);
    }
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    operation("receive");
    if (limits.received == null || !dst.hasRemaining()) {
      return below().receive(dst);
    }
    int n;
    if (type() == SocketType.DATAGRAM) {
      n = below().receive(dst);
    } else {
      int limit = dst.limit();
      dst.limit(dst.position() + Math.min(dst.remaining(), limits.chunk));
      try {
        n = below().receive(dst);
      } finally {
        dst.limit(limit);
      }
    }
    if (n > 0) {
      take(limits.received, n, "receive");
    }
    return n;
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
    operation("sendTo");
    if (limits.sent != null && src.hasRemaining()) {
      take(limits.sent, src.remaining(), "sendTo");
    }
    return below().sendTo(src, target);
  }

  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) throws IOException {
    operation("receiveFrom");
    int before = dst.position();
    SocketAddress from = super.receiveFrom(dst);
    int n = dst.position() - before;
    if (limits.received != null && n > 0) {
      take(limits.received, n, "receiveFrom");
    }
    return from;
  }

  @Override
  public void flush() throws IOException {
    below().flush();
  }

  @Override
  public void shutdownOutput() throws IOException {
    below().shutdownOutput();
  }

  @Override
  public void close() throws IOException {
    closed = true; // ends this socket's waits
    below().close();
  }

  private void operation(String op) throws IOException {
    if (limits.operations != null) {
      take(limits.operations, 1, op);
    }
  }

  /** Takes {@code permits} from {@code limiter}, polling without a lock until they are there. */
  private void take(RateLimiter limiter, int permits, String op) throws IOException {
    while (!limiter.tryAcquire(permits)) {
      if (closed) {
        throw new AsynchronousCloseException();
      }
      if (layer.unloaded()) {
        throw new ProtochainException(
            ProtochainException.Code.OPERATION_ABORTED,
            op
                + " aborted while waiting for the rate limit: "
                + layer.describe()
                + " was unloaded");
      }
      LockSupport.parkNanos(POLL_NANOS);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(
            op + " interrupted while waiting for the rate limit of " + layer.describe());
      }
    }
  }

  /** Returns {@code RateLimitSocket -> ...}. */
  @Override
  public String toString() {
    return "RateLimitSocket" + (closed ? "[closed]" : "") + " -> " + below();
  }
}
