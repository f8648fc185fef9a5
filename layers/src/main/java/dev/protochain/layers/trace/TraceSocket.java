package dev.protochain.layers.trace;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.ForwardingSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * A socket that logs each operation and its outcome, then behaves exactly like the socket below.
 */
final class TraceSocket extends ForwardingSocket {

  private final Logger log;
  private final Level level;

  TraceSocket(ChainSocket below, Logger log, Level level) {
    super(below);
    this.log = log;
    this.level = level;
  }

  @Override
  protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
    return new TraceSocket(acceptedBelow, log, level);
  }

  private boolean on() {
    return log.isEnabledForLevel(level);
  }

  private void log(String format, Object... args) {
    log.atLevel(level).log(format, args);
  }

  private IOException failed(String op, IOException e) {
    if (on()) {
      log("{} {} failed: {}", id(), op, e.toString());
    }
    return e;
  }

  private String id() {
    return "socket@" + Integer.toHexString(System.identityHashCode(this));
  }

  @Override
  public void bind(SocketAddress local) throws IOException {
    try {
      super.bind(local);
    } catch (IOException e) {
      throw failed("bind " + local, e);
    }
    if (on()) {
      log("{} bind {} -> {}", id(), local, localAddress());
    }
  }

  @Override
  public void listen(int backlog) throws IOException {
    try {
      super.listen(backlog);
    } catch (IOException e) {
      throw failed("listen", e);
    }
    if (on()) {
      log("{} listen backlog {}", id(), backlog);
    }
  }

  @Override
  public ChainSocket accept() throws IOException {
    ChainSocket s;
    try {
      s = super.accept();
    } catch (IOException e) {
      throw failed("accept", e);
    }
    if (on()) {
      log(
          "{} accept {} from {}",
          id(),
          "socket@" + Integer.toHexString(System.identityHashCode(s)),
          s.remoteAddress());
    }
    return s;
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    try {
      super.connect(remote, timeout);
    } catch (IOException e) {
      throw failed("connect " + remote, e);
    }
    if (on()) {
      log("{} connect {} from {}", id(), remote, localAddress());
    }
  }

  @Override
  public int send(ByteBuffer src) throws IOException {
    try {
      int n = super.send(src);
      if (on()) {
        log("{} send {} bytes", id(), n);
      }
      return n;
    } catch (IOException e) {
      throw failed("send", e);
    }
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    try {
      int n = super.receive(dst);
      if (on()) {
        log("{} receive {}", id(), n < 0 ? "end of stream" : n + " bytes");
      }
      return n;
    } catch (IOException e) {
      throw failed("receive", e);
    }
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
    try {
      int n = super.sendTo(src, target);
      if (on()) {
        log("{} sendTo {} {} bytes", id(), target, n);
      }
      return n;
    } catch (IOException e) {
      throw failed("sendTo " + target, e);
    }
  }

  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) throws IOException {
    try {
      int before = dst.position();
      SocketAddress from = super.receiveFrom(dst);
      if (on()) {
        log("{} receiveFrom {} {} bytes", id(), from, dst.position() - before);
      }
      return from;
    } catch (IOException e) {
      throw failed("receiveFrom", e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      super.flush();
    } catch (IOException e) {
      throw failed("flush", e);
    }
    if (on()) {
      log("{} flush", id());
    }
  }

  @Override
  public void shutdownInput() throws IOException {
    try {
      super.shutdownInput();
    } catch (IOException e) {
      throw failed("shutdownInput", e);
    }
    if (on()) {
      log("{} shutdownInput", id());
    }
  }

  @Override
  public void shutdownOutput() throws IOException {
    try {
      super.shutdownOutput();
    } catch (IOException e) {
      throw failed("shutdownOutput", e);
    }
    if (on()) {
      log("{} shutdownOutput", id());
    }
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } catch (IOException e) {
      throw failed("close", e);
    }
    if (on()) {
      log("{} close", id());
    }
  }

  @Override
  public <T> ChainSocket setOption(SocketOption<T> name, T value) throws IOException {
    try {
      super.setOption(name, value);
    } catch (IOException e) {
      throw failed("setOption " + name, e);
    }
    if (on()) {
      log("{} setOption {} = {}", id(), name, value);
    }
    return this;
  }
}
