package dev.protochain.base.internal;

import static java.net.StandardSocketOptions.SO_RCVBUF;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractBaseSocket;
import dev.protochain.api.spi.ProviderScope;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A datagram socket of the in-memory loopback.
 *
 * <p>Each bound socket has a queue of at most {@value #QUEUE_LIMIT} datagrams and {@code SO_RCVBUF}
 * bytes; like UDP, a datagram that does not fit is dropped, and so is one sent to a port nobody is
 * bound to, or to a socket connected to another peer. Sending or receiving binds an unbound socket
 * to an ephemeral port. {@link #connect} fixes the peer of {@link #send} and {@link #receive}, and
 * filters what is received; {@link #sendTo} may still send anywhere. A datagram longer than the
 * receiving buffer is truncated. Datagram sockets do not listen, accept or shut down.
 *
 * <p>This class is thread-safe.
 */
public final class InMemoryDatagramSocket extends AbstractBaseSocket {

  /** The most datagrams a socket's queue holds. */
  public static final int QUEUE_LIMIT = 1024;

  /** The longest datagram, in bytes. */
  public static final int MAX_DATAGRAM = 65535;

  private static final Set<SocketOption<?>> OPTIONS =
      optionSet(SO_RCVBUF, ChainSocketOptions.RECEIVE_TIMEOUT);

  private static final class Datagram {
    final byte[] data;
    final int senderPort;

    Datagram(byte[] data, int senderPort) {
      this.data = data;
      this.senderPort = senderPort;
    }
  }

  private final MemoryNetwork network;
  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition notEmpty = queueLock.newCondition();
  private final ArrayDeque<Datagram> queue = new ArrayDeque<>(); // guarded by queueLock
  private int queuedBytes; // guarded by queueLock
  private boolean queueClosed; // guarded by queueLock
  private volatile int receiveBuffer;
  // Guarded by lock; volatile for unlocked reads.
  private volatile int localPort = -1;
  private volatile int peerPort = -1;

  /** Creates an unbound datagram socket of {@code network}. */
  public InMemoryDatagramSocket(ProviderScope scope, MemoryNetwork network) {
    super(scope);
    this.network = network;
    this.receiveBuffer = network.bufferSize();
  }

  @Override
  public SocketType type() {
    return SocketType.DATAGRAM;
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return OPTIONS;
  }

  @Override
  public void bind(SocketAddress local) throws IOException {
    int port = local == null ? 0 : checkInet(local, "bind").getPort();
    synchronized (lock) {
      ensureOpen("bind");
      if (localPort >= 0) {
        throw illegalState("bind", "the socket is already bound (expected: one bind)");
      }
      localPort = network.bind(port, this);
    }
  }

  private int ensureBound(String operation) throws IOException {
    int port = localPort;
    if (port >= 0) {
      return port;
    }
    synchronized (lock) {
      ensureOpen(operation);
      if (localPort < 0) {
        localPort = network.bind(0, this);
      }
      return localPort;
    }
  }

  /** Not supported: datagram sockets do not listen. */
  @Override
  public void listen(int backlog) {
    throw unsupported("listen", "datagram sockets do not listen (expected: bind and receiveFrom)");
  }

  /** Not supported: datagram sockets do not accept. */
  @Override
  public ChainSocket accept() {
    throw unsupported("accept", "datagram sockets do not accept (expected: bind and receiveFrom)");
  }

  /** Fixes the peer; {@code timeout} is checked and ignored, nothing being exchanged. */
  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    int port = checkInet(remote, "connect").getPort();
    checkConnectTimeout(timeout);
    ensureBound("connect");
    synchronized (lock) {
      ensureOpen("connect");
      if (peerPort >= 0) {
        throw illegalState("connect", "the socket is already connected (expected: one connect)");
      }
      peerPort = port;
    }
  }

  @Override
  public int send(ByteBuffer src) throws IOException {
    ensureOpen("send");
    int peer = peerPort;
    if (peer < 0) {
      throw illegalState(
          "send", "the socket is not connected (expected: connect first, or sendTo)");
    }
    return deliver(src, peer, "send");
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
    int port = checkInet(target, "sendTo").getPort();
    ensureOpen("sendTo");
    return deliver(src, port, "sendTo");
  }

  private int deliver(ByteBuffer src, int port, String operation) throws IOException {
    int length = src.remaining();
    if (length > MAX_DATAGRAM) {
      throw new SocketException(
          "Message too long: "
              + length
              + " bytes (expected: at most "
              + MAX_DATAGRAM
              + ") in "
              + operation
              + " on "
              + this);
    }
    int from = ensureBound(operation);
    byte[] data = new byte[length];
    src.get(data);
    AbstractBaseSocket owner = network.lookup(port);
    if (owner instanceof InMemoryDatagramSocket) {
      ((InMemoryDatagramSocket) owner).enqueue(new Datagram(data, from));
    }
    return length;
  }

  /** Queues {@code d} if it fits and this socket accepts its sender; drops it otherwise. */
  private void enqueue(Datagram d) {
    int peer = peerPort;
    if (peer >= 0 && peer != d.senderPort) {
      return;
    }
    queueLock.lock();
    try {
      if (queueClosed
          || queue.size() >= QUEUE_LIMIT
          || queuedBytes + (long) d.data.length > receiveBuffer) {
        return;
      }
      queue.add(d);
      queuedBytes += d.data.length;
      notEmpty.signal();
    } finally {
      queueLock.unlock();
    }
  }

  /**
   * Receives one datagram, truncated to fit, and returns how many bytes were put in {@code dst}.
   */
  @Override
  public int receive(ByteBuffer dst) throws IOException {
    ensureOpen("receive");
    Datagram d = take("receive");
    return copy(d, dst);
  }

  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) throws IOException {
    ensureOpen("receiveFrom");
    Datagram d = take("receiveFrom");
    copy(d, dst);
    return MemoryNetwork.address(d.senderPort);
  }

  private static int copy(Datagram d, ByteBuffer dst) {
    int n = Math.min(d.data.length, dst.remaining());
    dst.put(d.data, 0, n);
    return n;
  }

  private Datagram take(String operation) throws IOException {
    ensureBound(operation);
    long timeoutNanos = timeoutNanos(receiveTimeout());
    try {
      queueLock.lock();
      try {
        long left = timeoutNanos;
        while (true) {
          if (queueClosed) {
            throw new ClosedChannelException();
          }
          Datagram d = queue.poll();
          if (d != null) {
            queuedBytes -= d.data.length;
            return d;
          }
          if (timeoutNanos == 0) {
            notEmpty.await();
          } else if (left <= 0) {
            throw new SocketTimeoutException(
                "Receive timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
          } else {
            left = notEmpty.awaitNanos(left);
          }
        }
      } finally {
        queueLock.unlock();
      }
    } catch (InterruptedException e) {
      throw interrupted(operation);
    } catch (IOException | RuntimeException e) {
      throw translate(e, operation);
    }
  }

  /** Not supported: a datagram socket has no stream to end. */
  @Override
  public void shutdownInput() {
    throw unsupported("shutdownInput", "a datagram socket has no stream to end (expected: close)");
  }

  /** Not supported: a datagram socket has no stream to end. */
  @Override
  public void shutdownOutput() {
    throw unsupported("shutdownOutput", "a datagram socket has no stream to end (expected: close)");
  }

  @Override
  protected void closeTransport() {
    int port;
    synchronized (lock) {
      port = localPort;
    }
    if (port >= 0) {
      network.release(port, this);
    }
    queueLock.lock();
    try {
      queueClosed = true;
      queue.clear();
      queuedBytes = 0;
      notEmpty.signalAll();
    } finally {
      queueLock.unlock();
    }
  }

  @Override
  protected <T> void setTransportOption(SocketOption<T> name, T value) {
    receiveBuffer = (Integer) value;
  }

  @Override
  protected <T> T getTransportOption(SocketOption<T> name) {
    return name.type().cast(receiveBuffer);
  }

  @Override
  public SocketAddress localAddress() throws IOException {
    ensureOpen("localAddress");
    int port = localPort;
    return port < 0 ? null : MemoryNetwork.address(port);
  }

  @Override
  public SocketAddress remoteAddress() throws IOException {
    ensureOpen("remoteAddress");
    int peer = peerPort;
    return peer < 0 ? null : MemoryNetwork.address(peer);
  }

  @Override
  protected String describeTransport() {
    int port = localPort;
    int peer = peerPort;
    InetSocketAddress local = port < 0 ? null : MemoryNetwork.address(port);
    return (local == null ? "unbound" : format(local))
        + (peer < 0 ? "" : " -> " + format(MemoryNetwork.address(peer)));
  }
}
