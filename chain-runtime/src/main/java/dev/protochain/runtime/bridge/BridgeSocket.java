package dev.protochain.runtime.bridge;

import com.google.common.io.Closer;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Socket} over a {@link ChainSocket}. Every public method of {@code Socket} is overridden:
 * the platform implementation the superclass constructor makes is never created.
 */
// Socket's synchronized methods guard its own impl, which this class never uses: its state is
// volatile, close takes a ReentrantLock, and a monitor held across a blocking chain call would pin
// a virtual thread.
@SuppressWarnings("UnsynchronizedOverridesSynchronized")
final class BridgeSocket extends Socket {

  private final Target target;
  // A ReentrantLock, not a monitor: open and bind hold it across a startup (which may load a
  // plugin) and I/O, which under synchronized would pin a virtual thread's carrier (JDK 21 to 23).
  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock until set; read freely afterwards (volatile).
  private volatile Session session;
  private volatile ChainSocket socket;
  private final Map<SocketOption<Object>, Object> pending =
      new LinkedHashMap<>(); // guarded by lock
  private volatile boolean connected;
  private volatile boolean closed;
  private volatile boolean inputShut;
  private volatile boolean outputShut;
  private volatile int soTimeout;
  private final InputStream in = new In();
  private final OutputStream out = new Out();

  BridgeSocket(Target target) {
    this.target = target;
  }

  /** An accepted connection: already connected, holding a session of its own. */
  BridgeSocket(Target target, Session session, ChainSocket accepted) {
    this.target = target;
    this.session = session;
    this.socket = accepted;
    this.connected = true;
  }

  /**
   * Returns the chain socket, starting the chain up for {@code address}'s family first if needed.
   */
  private ChainSocket open(SocketAddress address) throws IOException {
    ChainSocket s = socket;
    if (s != null) {
      return s;
    }
    lock.lock();
    try {
      if (closed) {
        throw new SocketException("Socket is closed");
      }
      if (socket == null) {
        Session started = target.startup(address);
        ChainSocket opened;
        try {
          opened = started.open();
          for (Map.Entry<SocketOption<Object>, Object> o : pending.entrySet()) {
            opened.setOption(o.getKey(), o.getValue());
          }
        } catch (IOException | RuntimeException e) {
          closeAfter(e, started);
          throw e;
        }
        session = started;
        socket = opened;
      }
      return socket;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes {@code opened} after {@code failure}, adding a failure of the close to it as suppressed.
   */
  static void closeAfter(Exception failure, Closeable opened) {
    try {
      opened.close();
    } catch (IOException suppressed) {
      failure.addSuppressed(suppressed);
    }
  }

  private ChainSocket connectedSocket() throws SocketException {
    if (closed) {
      throw new SocketException("Socket is closed");
    }
    ChainSocket s = socket;
    if (!connected || s == null) {
      throw new SocketException("Socket is not connected");
    }
    return s;
  }

  /* ---- connection ---- */

  @Override
  public void bind(SocketAddress bindpoint) throws IOException {
    if (isBound()) {
      throw new SocketException("Already bound");
    }
    open(bindpoint).bind(bindpoint);
  }

  @Override
  public void connect(SocketAddress endpoint) throws IOException {
    connect(endpoint, 0);
  }

  @Override
  public void connect(SocketAddress endpoint, int timeout) throws IOException {
    if (timeout < 0) {
      throw new IllegalArgumentException("connect: timeout can't be negative");
    }
    if (!(endpoint instanceof InetSocketAddress)) {
      throw new IllegalArgumentException("Unsupported address type: " + endpoint);
    }
    if (((InetSocketAddress) endpoint).isUnresolved()) {
      throw new java.net.UnknownHostException(((InetSocketAddress) endpoint).getHostName());
    }
    if (connected) {
      throw new SocketException("already connected");
    }
    open(endpoint).connect(endpoint, Duration.ofMillis(timeout));
    connected = true;
  }

  @Override
  public InputStream getInputStream() throws IOException {
    connectedSocket();
    if (inputShut) {
      throw new SocketException("Socket input is shutdown");
    }
    return in;
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    connectedSocket();
    if (outputShut) {
      throw new SocketException("Socket output is shutdown");
    }
    return out;
  }

  @Override
  public void shutdownInput() throws IOException {
    connectedSocket().shutdownInput();
    inputShut = true;
  }

  @Override
  public void shutdownOutput() throws IOException {
    connectedSocket().shutdownOutput();
    outputShut = true;
  }

  /** Closes the chain socket, then performs the session's cleanup. Closing twice is harmless. */
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
        Closer.create(); // closes the socket first, then the session; keeps every failure
    closer.register(session);
    closer.register(socket);
    closer.close();
  }

  /* ---- state and addresses ---- */

  @Override
  public boolean isConnected() {
    return connected;
  }

  @Override
  public boolean isBound() {
    ChainSocket s = socket;
    try {
      return s != null && s.localAddress() != null;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public boolean isInputShutdown() {
    return inputShut;
  }

  @Override
  public boolean isOutputShutdown() {
    return outputShut;
  }

  private InetSocketAddress remote() {
    return inet(socket, true);
  }

  private InetSocketAddress local() {
    return inet(socket, false);
  }

  /**
   * Returns {@code s}'s remote or local IP address, or {@code null} where {@code java.net} says
   * "none": no socket yet, not bound or connected, or not an IP address.
   */
  static InetSocketAddress inet(ChainSocket s, boolean remote) {
    try {
      return s == null ? null : (InetSocketAddress) (remote ? s.remoteAddress() : s.localAddress());
    } catch (IOException | ClassCastException e) {
      return null;
    }
  }

  @Override
  public InetAddress getInetAddress() {
    InetSocketAddress r = connected ? remote() : null;
    return r == null ? null : r.getAddress();
  }

  @Override
  public int getPort() {
    InetSocketAddress r = connected ? remote() : null;
    return r == null ? 0 : r.getPort();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return connected ? remote() : null;
  }

  @Override
  public InetAddress getLocalAddress() {
    InetSocketAddress l = local();
    if (l == null || l.getAddress() == null) {
      try {
        return InetAddress.getByName("0.0.0.0");
      } catch (java.net.UnknownHostException e) {
        throw new AssertionError(e);
      }
    }
    return l.getAddress();
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

  /* ---- options ---- */

  @SuppressWarnings("unchecked")
  private <T> void set(SocketOption<T> name, T value) throws SocketException {
    if (closed) {
      throw new SocketException("Socket is closed");
    }
    try {
      lock.lock();
      try {
        ChainSocket s = socket;
        if (s == null) {
          pending.put((SocketOption<Object>) name, value);
          return;
        }
      } finally {
        lock.unlock();
      }
      socket.setOption(name, value);
    } catch (UnsupportedOperationException e) {
      throw new SocketException(name + " is not supported by " + target + ": " + e.getMessage());
    } catch (SocketException e) {
      throw e;
    } catch (IOException e) {
      throw (SocketException)
          new SocketException("setting " + name + " failed: " + e.getMessage()).initCause(e);
    }
  }

  @SuppressWarnings("unchecked")
  private <T> T get(SocketOption<T> name, T unset) throws SocketException {
    if (closed) {
      throw new SocketException("Socket is closed");
    }
    lock.lock();
    try {
      if (socket == null) {
        Object v = pending.get(name);
        return v == null ? unset : (T) v;
      }
    } finally {
      lock.unlock();
    }
    try {
      return socket.getOption(name);
    } catch (UnsupportedOperationException e) {
      throw new SocketException(name + " is not supported by " + target + ": " + e.getMessage());
    } catch (SocketException e) {
      throw e;
    } catch (IOException e) {
      throw (SocketException)
          new SocketException("reading " + name + " failed: " + e.getMessage()).initCause(e);
    }
  }

  @Override
  public void setSoTimeout(int timeout) throws SocketException {
    if (timeout < 0) {
      throw new IllegalArgumentException("timeout can't be negative");
    }
    set(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(timeout));
    soTimeout = timeout;
  }

  @Override
  public int getSoTimeout() throws SocketException {
    if (closed) {
      throw new SocketException("Socket is closed");
    }
    return soTimeout;
  }

  @Override
  public void setTcpNoDelay(boolean on) throws SocketException {
    set(StandardSocketOptions.TCP_NODELAY, on);
  }

  @Override
  public boolean getTcpNoDelay() throws SocketException {
    return get(StandardSocketOptions.TCP_NODELAY, false);
  }

  @Override
  public void setSoLinger(boolean on, int linger) throws SocketException {
    if (on && linger < 0) {
      throw new IllegalArgumentException("invalid value for SO_LINGER");
    }
    set(StandardSocketOptions.SO_LINGER, on ? Math.min(linger, 65535) : -1);
  }

  @Override
  public int getSoLinger() throws SocketException {
    return get(StandardSocketOptions.SO_LINGER, -1);
  }

  @Override
  public void setKeepAlive(boolean on) throws SocketException {
    set(StandardSocketOptions.SO_KEEPALIVE, on);
  }

  @Override
  public boolean getKeepAlive() throws SocketException {
    return get(StandardSocketOptions.SO_KEEPALIVE, false);
  }

  @Override
  public void setSendBufferSize(int size) throws SocketException {
    if (size <= 0) {
      throw new IllegalArgumentException("negative send size");
    }
    set(StandardSocketOptions.SO_SNDBUF, size);
  }

  @Override
  public int getSendBufferSize() throws SocketException {
    return get(StandardSocketOptions.SO_SNDBUF, 0);
  }

  @Override
  public void setReceiveBufferSize(int size) throws SocketException {
    if (size <= 0) {
      throw new IllegalArgumentException("invalid receive size");
    }
    set(StandardSocketOptions.SO_RCVBUF, size);
  }

  @Override
  public int getReceiveBufferSize() throws SocketException {
    return get(StandardSocketOptions.SO_RCVBUF, 0);
  }

  @Override
  public void setReuseAddress(boolean on) throws SocketException {
    set(StandardSocketOptions.SO_REUSEADDR, on);
  }

  @Override
  public boolean getReuseAddress() throws SocketException {
    return get(StandardSocketOptions.SO_REUSEADDR, false);
  }

  @Override
  public void setTrafficClass(int tc) throws SocketException {
    set(StandardSocketOptions.IP_TOS, tc);
  }

  @Override
  public int getTrafficClass() throws SocketException {
    return get(StandardSocketOptions.IP_TOS, 0);
  }

  @Override
  public void setOOBInline(boolean on) throws SocketException {
    if (on) {
      throw new SocketException("urgent data is not supported over a chain");
    }
  }

  @Override
  public boolean getOOBInline() {
    return false;
  }

  @Override
  public void sendUrgentData(int data) throws IOException {
    throw new SocketException("urgent data is not supported over a chain");
  }

  @Override
  public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
    // A hint only, as for the platform socket (which ignores it too).
  }

  @Override
  public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
    set(name, value);
    return this;
  }

  @Override
  public <T> T getOption(SocketOption<T> name) throws IOException {
    return get(name, null);
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    ChainSocket s = socket;
    return s == null
        ? Set.of(StandardSocketOptions.SO_LINGER, ChainSocketOptions.RECEIVE_TIMEOUT)
        : s.supportedOptions();
  }

  @Override
  public String toString() {
    return "Socket over "
        + target
        + (connected ? "[" + remote() + ", local " + local() + "]" : "[unconnected]")
        + (closed ? " closed" : "");
  }

  /* ---- streams ---- */

  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (inputShut) {
        return -1;
      }
      return connectedSocket().receive(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public int available() {
      return 0;
    }

    @Override
    public void close() throws IOException {
      BridgeSocket.this.close();
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (outputShut) {
        throw new SocketException("Socket output is shutdown");
      }
      connectedSocket().sendFully(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public void flush() throws IOException {
      if (!closed && !outputShut && socket != null) {
        socket.flush();
      }
    }

    @Override
    public void close() throws IOException {
      BridgeSocket.this.close();
    }
  }
}
