package dev.protochain.api.spi;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.SocketType;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A socket that forwards every operation to the socket below it; a layer's socket extends it and
 * overrides only what the layer changes (Guava's {@code Forwarding*} pattern).
 *
 * <p>The one thing a subclass must say is what {@link #accept()} produces: the socket below accepts
 * a connection and {@link #wrapAccepted} wraps it in this layer's socket, so that accepted
 * connections pass through the layer too. A whole pass-through layer's socket:
 *
 * <pre>
 * final class CountingSocket extends ForwardingSocket {
 *   private final LongAdder sent;
 *   CountingSocket(ChainSocket below, LongAdder sent) { super(below); this.sent = sent; }
 *   &#64;Override protected ChainSocket wrapAccepted(ChainSocket accepted) {
 *     return new CountingSocket(accepted, sent);
 *   }
 *   &#64;Override public int send(ByteBuffer src) throws IOException {
 *     int n = super.send(src);
 *     sent.add(n);
 *     return n;
 *   }
 * }</pre>
 *
 * <p>The default methods {@link #sendFully} and {@link #receiveFully} are not forwarded: they loop
 * over this socket's own {@link #send} and {@link #receive}. Thread-safety is that of the socket
 * below plus whatever the subclass adds.
 */
public abstract class ForwardingSocket implements ChainSocket {

  private final ChainSocket below;

  /** Creates a socket forwarding to {@code below}. */
  protected ForwardingSocket(ChainSocket below) {
    this.below = Objects.requireNonNull(below, "below");
  }

  /** Returns the socket below this one. */
  protected final ChainSocket below() {
    return below;
  }

  /**
   * Wraps a connection the socket below accepted in this layer's socket. If it throws, the accepted
   * socket is closed and the exception reaches the caller of {@link #accept()}.
   */
  protected abstract ChainSocket wrapAccepted(ChainSocket acceptedBelow) throws IOException;

  @Override
  public SocketType type() {
    return below.type();
  }

  @Override
  public void bind(SocketAddress local) throws IOException {
    below.bind(local);
  }

  @Override
  public void listen(int backlog) throws IOException {
    below.listen(backlog);
  }

  @Override
  public ChainSocket accept() throws IOException {
    ChainSocket accepted = below.accept();
    try {
      return Objects.requireNonNull(
          wrapAccepted(accepted), () -> getClass().getName() + ".wrapAccepted returned null");
    } catch (IOException | RuntimeException | Error e) {
      try {
        accepted.close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    below.connect(remote, timeout);
  }

  @Override
  public int send(ByteBuffer src) throws IOException {
    return below.send(src);
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    return below.receive(dst);
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
    return below.sendTo(src, target);
  }

  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) throws IOException {
    return below.receiveFrom(dst);
  }

  @Override
  public void flush() throws IOException {
    below.flush();
  }

  @Override
  public void shutdownInput() throws IOException {
    below.shutdownInput();
  }

  @Override
  public void shutdownOutput() throws IOException {
    below.shutdownOutput();
  }

  @Override
  public void close() throws IOException {
    below.close();
  }

  @Override
  public boolean isOpen() {
    return below.isOpen();
  }

  @Override
  public <T> ChainSocket setOption(SocketOption<T> name, T value) throws IOException {
    below.setOption(name, value);
    return this;
  }

  @Override
  public <T> T getOption(SocketOption<T> name) throws IOException {
    return below.getOption(name);
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return below.supportedOptions();
  }

  @Override
  public SocketAddress localAddress() throws IOException {
    return below.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() throws IOException {
    return below.remoteAddress();
  }

  /**
   * Returns the class's simple name over the socket below, as {@code TraceSocket ->
   * TcpSocket[...]}.
   */
  @Override
  public String toString() {
    return getClass().getSimpleName() + " -> " + below;
  }
}
