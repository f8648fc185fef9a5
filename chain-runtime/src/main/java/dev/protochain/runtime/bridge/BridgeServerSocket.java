package dev.protochain.runtime.bridge;

import com.google.common.io.Closer;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ServerSocket} over a listening {@link ChainSocket}. Every public method is overridden:
 * the platform implementation the superclass constructor makes is never created.
 */
// ServerSocket's synchronized methods guard its own impl, which this class never uses: its state is
// volatile, and a monitor held across a blocking chain call would pin a virtual thread.
@SuppressWarnings("UnsynchronizedOverridesSynchronized")
final class BridgeServerSocket extends ServerSocket {

  private final Target target;
  // A ReentrantLock, not a monitor: open and bind hold it across a startup (which may load a
  // plugin) and I/O, which under synchronized would pin a virtual thread's carrier (JDK 21 to 23).
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Session session;
  private volatile ChainSocket listener;
  private volatile boolean closed;
  private volatile int soTimeout;

  BridgeServerSocket(Target target) throws IOException {
    super();
    this.target = target;
  }

  @Override
  public void bind(SocketAddress endpoint) throws IOException {
    bind(endpoint, 50);
  }

  @Override
  public void bind(SocketAddress endpoint, int backlog) throws IOException {
    SocketAddress address = endpoint == null ? new InetSocketAddress(0) : endpoint;
    lock.lock();
    try {
      if (closed) {
        throw new SocketException("Socket is closed");
      }
      if (listener != null) {
        throw new SocketException("Already bound");
      }
      Session started = target.startup(address);
      try {
        ChainSocket s = started.open();
        if (soTimeout > 0) {
          s.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(soTimeout));
        }
        s.bind(address);
        s.listen(backlog < 1 ? 50 : backlog);
        session = started;
        listener = s;
      } catch (IOException | RuntimeException e) {
        BridgeSocket.closeAfter(e, started);
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Accepts a connection; the returned socket holds a session of its own. */
  @Override
  public Socket accept() throws IOException {
    ChainSocket l = listener;
    if (closed) {
      throw new SocketException("Socket is closed");
    }
    if (l == null) {
      throw new SocketException("Socket is not bound yet");
    }
    ChainSocket accepted = l.accept();
    Session own;
    try {
      own = target.startup(accepted.localAddress());
    } catch (IOException | RuntimeException e) {
      BridgeSocket.closeAfter(e, accepted);
      throw e;
    }
    return new BridgeSocket(target, own, accepted);
  }

  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      lock.unlock();
    }
    Closer closer =
        Closer.create(); // closes the listener first, then the session; keeps every failure
    closer.register(session);
    closer.register(listener);
    closer.close();
  }

  @Override
  public boolean isBound() {
    return listener != null;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  private InetSocketAddress local() {
    return BridgeSocket.inet(listener, false);
  }

  @Override
  public InetAddress getInetAddress() {
    InetSocketAddress l = local();
    return l == null ? null : l.getAddress();
  }

  @Override
  public int getLocalPort() {
    InetSocketAddress l = local();
    return l == null ? -1 : l.getPort();
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return local();
  }

  @Override
  public void setSoTimeout(int timeout) throws SocketException {
    if (timeout < 0) {
      throw new IllegalArgumentException("timeout < 0");
    }
    soTimeout = timeout;
    ChainSocket l = listener;
    if (l != null) {
      try {
        l.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(timeout));
      } catch (IOException e) {
        throw (SocketException)
            new SocketException("setting SO_TIMEOUT failed: " + e.getMessage()).initCause(e);
      }
    }
  }

  @Override
  public int getSoTimeout() {
    return soTimeout;
  }

  @Override
  public void setReuseAddress(boolean on) {
    // Listening sockets of the TCP base reuse addresses already; nothing else to do.
  }

  @Override
  public boolean getReuseAddress() {
    return true;
  }

  @Override
  public void setReceiveBufferSize(int size) throws SocketException {
    if (size <= 0) {
      throw new IllegalArgumentException("negative receive size");
    }
    setOption(StandardSocketOptions.SO_RCVBUF, size);
  }

  @Override
  public int getReceiveBufferSize() throws SocketException {
    Integer v = getOption(StandardSocketOptions.SO_RCVBUF);
    return v == null ? 0 : v;
  }

  @Override
  public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
    // A hint only, as for the platform socket.
  }

  @Override
  public <T> ServerSocket setOption(SocketOption<T> name, T value) throws SocketException {
    ChainSocket l = listener;
    if (l == null) {
      throw new SocketException("options of a server socket over a chain are set once it is bound");
    }
    try {
      l.setOption(name, value);
      return this;
    } catch (UnsupportedOperationException e) {
      throw new SocketException(name + " is not supported by " + target + ": " + e.getMessage());
    } catch (IOException e) {
      throw (SocketException)
          new SocketException("setting " + name + " failed: " + e.getMessage()).initCause(e);
    }
  }

  @Override
  public <T> T getOption(SocketOption<T> name) throws SocketException {
    ChainSocket l = listener;
    if (l == null) {
      return null;
    }
    try {
      return l.getOption(name);
    } catch (UnsupportedOperationException e) {
      throw new SocketException(name + " is not supported by " + target + ": " + e.getMessage());
    } catch (IOException e) {
      throw (SocketException)
          new SocketException("reading " + name + " failed: " + e.getMessage()).initCause(e);
    }
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    ChainSocket l = listener;
    return l == null ? Set.of(ChainSocketOptions.RECEIVE_TIMEOUT) : l.supportedOptions();
  }

  @Override
  public String toString() {
    return "ServerSocket over "
        + target
        + (listener == null ? "[unbound]" : "[" + local() + "]")
        + (closed ? " closed" : "");
  }
}
