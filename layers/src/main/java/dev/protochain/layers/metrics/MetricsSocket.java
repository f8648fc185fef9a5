package dev.protochain.layers.metrics;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.ForwardingSocket;
import io.micrometer.core.instrument.LongTaskTimer;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/** A socket that times, counts and forwards every operation to the socket below. */
final class MetricsSocket extends ForwardingSocket {

  /** One forwarded operation. */
  private interface Call<T> {
    T run() throws IOException;
  }

  private final EntryMeters meters;
  private final LongTaskTimer.Sample open;

  MetricsSocket(ChainSocket below, EntryMeters meters) {
    super(below);
    this.meters = meters;
    this.open = meters.opened();
  }

  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    return new MetricsSocket(acceptedBelow, meters);
  }

  private <T> T timed(String operation, Call<T> call) throws IOException {
    long start = System.nanoTime();
    try {
      return call.run();
    } catch (IOException | RuntimeException e) {
      meters.error(operation, e);
      throw e;
    } finally {
      meters.time(operation, System.nanoTime() - start);
    }
  }

  @Override
  public void bind(SocketAddress local) throws IOException {
    timed(
        "bind",
        () -> {
          super.bind(local);
          return null;
        });
  }

  @Override
  public void listen(int backlog) throws IOException {
    timed(
        "listen",
        () -> {
          super.listen(backlog);
          return null;
        });
  }

  @Override
  public ChainSocket accept() throws IOException {
    return timed("accept", super::accept);
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    timed(
        "connect",
        () -> {
          super.connect(remote, timeout);
          return null;
        });
  }

  @Override
  public int send(ByteBuffer src) throws IOException {
    int n = timed("send", () -> super.send(src));
    meters.sent.increment(n);
    return n;
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    int n = timed("receive", () -> super.receive(dst));
    if (n > 0) {
      meters.received.increment(n);
    }
    return n;
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
    int n = timed("sendTo", () -> super.sendTo(src, target));
    meters.sent.increment(n);
    return n;
  }

  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) throws IOException {
    int before = dst.position();
    SocketAddress from = timed("receiveFrom", () -> super.receiveFrom(dst));
    meters.received.increment(dst.position() - before);
    return from;
  }

  @Override
  public void flush() throws IOException {
    timed(
        "flush",
        () -> {
          super.flush();
          return null;
        });
  }

  @Override
  public void shutdownInput() throws IOException {
    timed(
        "shutdownInput",
        () -> {
          super.shutdownInput();
          return null;
        });
  }

  @Override
  public void shutdownOutput() throws IOException {
    timed(
        "shutdownOutput",
        () -> {
          super.shutdownOutput();
          return null;
        });
  }

  @Override
  public void close() throws IOException {
    meters.closed(open);
    timed(
        "close",
        () -> {
          super.close();
          return null;
        });
  }
}
