package dev.protochain.benchmarks;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.SocketType;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;

/**
 * A hand-written decorator: the baseline a chain of pass-through layers is held against. It
 * delegates every call, as a programmer would write it without protochain.
 */
final class Decorator implements ChainSocket {

  private final ChainSocket next;

  Decorator(ChainSocket next) {
    this.next = next;
  }

  static ChainSocket wrap(ChainSocket socket, int depth) {
    ChainSocket s = socket;
    for (int i = 0; i < depth; i++) {
      s = new Decorator(s);
    }
    return s;
  }

  @Override
  public SocketType type() {
    return next.type();
  }

  @Override
  public void bind(SocketAddress local) throws IOException {
    next.bind(local);
  }

  @Override
  public void listen(int backlog) throws IOException {
    next.listen(backlog);
  }

  @Override
  public ChainSocket accept() throws IOException {
    return new Decorator(next.accept());
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    next.connect(remote, timeout);
  }

  @Override
  public int send(ByteBuffer src) throws IOException {
    return next.send(src);
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    return next.receive(dst);
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
    return next.sendTo(src, target);
  }

  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) throws IOException {
    return next.receiveFrom(dst);
  }

  @Override
  public void flush() throws IOException {
    next.flush();
  }

  @Override
  public void shutdownInput() throws IOException {
    next.shutdownInput();
  }

  @Override
  public void shutdownOutput() throws IOException {
    next.shutdownOutput();
  }

  @Override
  public void close() throws IOException {
    next.close();
  }

  @Override
  public boolean isOpen() {
    return next.isOpen();
  }

  @Override
  public <T> ChainSocket setOption(SocketOption<T> name, T value) throws IOException {
    next.setOption(name, value);
    return this;
  }

  @Override
  public <T> T getOption(SocketOption<T> name) throws IOException {
    return next.getOption(name);
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return next.supportedOptions();
  }

  @Override
  public SocketAddress localAddress() throws IOException {
    return next.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() throws IOException {
    return next.remoteAddress();
  }
}
