package dev.protochain.api.spi;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.SocketType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A connected pair of in-memory stream sockets for the kit's unit tests: each send is one chunk the
 * peer's receives take, in pieces if its buffer is short; {@link #accept} returns the socket given
 * to {@link #acceptReturns}. Honours {@link ChainSocketOptions#RECEIVE_TIMEOUT}.
 */
final class Pipe implements ChainSocket {

  private static final byte[] EOF = new byte[0];

  private final BlockingQueue<byte[]> in = new LinkedBlockingQueue<>();
  private final int port;
  private Pipe peer;
  private ByteBuffer current;
  private boolean ended;
  private volatile boolean open = true;
  private volatile Duration timeout = Duration.ZERO;
  private ChainSocket toAccept;
  final java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();

  private Pipe(int port) {
    this.port = port;
  }

  static Pipe[] pair() {
    Pipe a = new Pipe(40001);
    Pipe b = new Pipe(40002);
    a.peer = b;
    b.peer = a;
    return new Pipe[] {a, b};
  }

  Pipe acceptReturns(ChainSocket s) {
    toAccept = s;
    return this;
  }

  /** Puts {@code bytes} as one chunk into this end's input, as if the peer had sent them. */
  void arrive(byte[] bytes) {
    in.add(bytes.clone());
  }

  /** Ends this end's input. */
  void arriveEnd() {
    in.add(EOF);
  }

  @Override
  public SocketType type() {
    return SocketType.STREAM;
  }

  @Override
  public void bind(SocketAddress local) {}

  @Override
  public void listen(int backlog) {}

  @Override
  public ChainSocket accept() {
    return toAccept;
  }

  @Override
  public void connect(SocketAddress remote, Duration t) {}

  @Override
  public synchronized int send(ByteBuffer src) throws IOException {
    if (!open) {
      throw new ClosedChannelException();
    }
    byte[] b = new byte[src.remaining()];
    src.get(b);
    sent.write(b, 0, b.length);
    peer.in.add(b);
    return b.length;
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    if (!open) {
      throw new ClosedChannelException();
    }
    while (current == null || !current.hasRemaining()) {
      if (ended) {
        return -1;
      }
      byte[] next;
      try {
        next = timeout.isZero() ? in.take() : in.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException();
      }
      if (next == null) {
        throw new SocketTimeoutException("Read timed out");
      }
      if (next == EOF) {
        ended = true;
        return -1;
      }
      current = ByteBuffer.wrap(next);
    }
    return HandshakeSocket.transfer(current, dst);
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) {
    throw new UnsupportedOperationException();
  }

  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void flush() {}

  @Override
  public void shutdownInput() {}

  @Override
  public void shutdownOutput() {
    peer.in.add(EOF);
  }

  @Override
  public void close() {
    if (open) {
      open = false;
      peer.in.add(EOF);
    }
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> ChainSocket setOption(SocketOption<T> name, T value) {
    if (name == ChainSocketOptions.RECEIVE_TIMEOUT) {
      timeout = (Duration) value;
      return this;
    }
    throw new UnsupportedOperationException(name.name());
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T getOption(SocketOption<T> name) {
    if (name == ChainSocketOptions.RECEIVE_TIMEOUT) {
      return (T) timeout;
    }
    throw new UnsupportedOperationException(name.name());
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return Set.of(ChainSocketOptions.RECEIVE_TIMEOUT);
  }

  @Override
  public SocketAddress localAddress() {
    return new InetSocketAddress("127.0.0.1", port);
  }

  @Override
  public SocketAddress remoteAddress() {
    return new InetSocketAddress("127.0.0.1", peer.port);
  }
}
