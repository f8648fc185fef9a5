package dev.protochain.base.internal;

import static java.net.StandardSocketOptions.SO_LINGER;
import static java.net.StandardSocketOptions.SO_RCVBUF;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractBaseSocket;
import dev.protochain.api.spi.ProviderScope;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stream socket of the in-memory loopback: a connection is a pair of bounded {@link MemoryPipe}s,
 * one per direction, each as large as its reader's {@code SO_RCVBUF}.
 *
 * <p>{@link #send} is partial: it accepts at least one byte and at most the free space, blocking
 * while the pipe is full. Connecting to a port with no listener fails at once with {@link
 * ConnectException}; connecting to a listener whose backlog is full <em>blocks</em> until it
 * accepts, bounded by the connect timeout ({@link SocketTimeoutException}). Closing a listener
 * resets the connections still in its backlog. A graceful close ends the output (the peer reads
 * what remains, then -1) and stops receiving (the peer's sends fail with {@code Broken pipe}). The
 * pipe is the peer's receive buffer, so a close never leaves bytes to send: with {@code SO_LINGER}
 * above 0 it returns at once, as TCP does when its bytes reached the peer's buffer. With {@code
 * SO_LINGER} 0 the close is abortive: the peer's pending and later operations fail with {@code
 * Connection reset}. A listener's {@code SO_LINGER} and {@code SO_RCVBUF} are inherited by the
 * sockets it accepts.
 *
 * <p>This class is thread-safe.
 */
public final class InMemoryStreamSocket extends AbstractBaseSocket {

  private static final Set<SocketOption<?>> OPTIONS =
      optionSet(SO_LINGER, SO_RCVBUF, ChainSocketOptions.RECEIVE_TIMEOUT);
  private static final int DEFAULT_BACKLOG = 50;

  /** One connected socket's two directions and its peer's port. */
  private static final class Link {
    final MemoryPipe in;
    final MemoryPipe out;
    final int remotePort;

    Link(MemoryPipe in, MemoryPipe out, int remotePort) {
      this.in = in;
      this.out = out;
      this.remotePort = remotePort;
    }

    void reset() {
      in.reset();
      out.reset();
    }
  }

  private final MemoryNetwork network;
  private volatile int linger = -1;
  private volatile int receiveBuffer;
  // Guarded by lock; volatile for the unlocked reads of data operations and toString.
  private volatile int localPort = -1;
  private volatile boolean ownsPort;
  private volatile Backlog backlog;
  private volatile Link link;
  private volatile Backlog connectingTo;

  /** Creates an unbound, unconnected socket of {@code network}. */
  public InMemoryStreamSocket(ProviderScope scope, MemoryNetwork network) {
    super(scope);
    this.network = network;
    this.receiveBuffer = network.bufferSize();
  }

  /** Creates the server side of a connection to {@code listener}, not yet accepted. */
  private InMemoryStreamSocket(InMemoryStreamSocket listener, Link link) {
    super(listener.scope());
    this.network = listener.network;
    this.linger = listener.linger;
    this.receiveBuffer = listener.receiveBuffer;
    this.localPort = listener.localPort;
    this.link = link;
  }

  @Override
  public SocketType type() {
    return SocketType.STREAM;
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return OPTIONS;
  }

  /* ---- binding, listening, connecting ---- */

  @Override
  public void bind(SocketAddress local) throws IOException {
    int port = local == null ? 0 : checkInet(local, "bind").getPort();
    synchronized (lock) {
      ensureOpen("bind");
      if (localPort >= 0) {
        throw illegalState("bind", "the socket is already bound (expected: one bind)");
      }
      localPort = network.bind(port, this);
      ownsPort = true;
    }
  }

  /** Starts listening, on an ephemeral port if unbound; a second call does nothing. */
  @Override
  public void listen(int backlogSize) throws IOException {
    synchronized (lock) {
      ensureOpen("listen");
      if (backlog != null) {
        return;
      }
      if (link != null || connectingTo != null) {
        throw illegalState("listen", "the socket is connected (expected: an unconnected socket)");
      }
      if (localPort < 0) {
        localPort = network.bind(0, this);
        ownsPort = true;
      }
      backlog = new Backlog(this, backlogSize <= 0 ? DEFAULT_BACKLOG : backlogSize);
    }
  }

  @Override
  public ChainSocket accept() throws IOException {
    Backlog b = backlog;
    ensureOpen("accept");
    if (b == null) {
      throw illegalState("accept", "the socket is not listening (expected: listen first)");
    }
    InMemoryStreamSocket accepted;
    try {
      accepted = b.take(timeoutNanos(receiveTimeout()));
    } catch (IOException | RuntimeException e) {
      throw translate(e, "accept");
    }
    try {
      scope().track(accepted, "accept");
    } catch (IOException e) {
      accepted.link.reset();
      throw e;
    }
    return accepted;
  }

  /**
   * Connects to the listener on {@code remote}'s port, binding to an ephemeral port first if
   * unbound; blocks while the listener's backlog is full.
   */
  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    int port = checkInet(remote, "connect").getPort();
    checkConnectTimeout(timeout);
    Backlog target;
    boolean autoBound = false;
    synchronized (lock) {
      ensureOpen("connect");
      if (backlog != null) {
        throw illegalState("connect", "the socket is listening (expected: an unconnected socket)");
      }
      if (link != null || connectingTo != null) {
        throw illegalState(
            "connect",
            link != null ? "the socket is already connected" : "a connect is in progress");
      }
      AbstractBaseSocket owner = network.lookup(port);
      target =
          owner instanceof InMemoryStreamSocket ? ((InMemoryStreamSocket) owner).backlog : null;
      if (target == null) {
        throw refused(port);
      }
      if (localPort < 0) {
        localPort = network.bind(0, this);
        ownsPort = true;
        autoBound = true;
      }
      connectingTo = target;
    }
    Link connected;
    try {
      connected = target.offer(this, timeoutNanos(timeout));
    } catch (IOException | RuntimeException e) {
      synchronized (lock) {
        connectingTo = null;
        if (autoBound) {
          network.release(localPort, this);
          localPort = -1;
          ownsPort = false;
        }
      }
      throw translate(e, "connect");
    }
    synchronized (lock) {
      connectingTo = null;
      if (isOpenState()) {
        link = connected;
        return;
      }
    }
    // Closed while the connection was being queued: the listener's side sees a reset.
    connected.reset();
    throw translate(new ClosedChannelException(), "connect");
  }

  private static ConnectException refused(int port) {
    return new ConnectException("Connection refused: memory port " + port);
  }

  /* ---- data ---- */

  /**
   * Sends at least one byte and at most the free space of the peer's buffer; see the class comment.
   */
  @Override
  public int send(ByteBuffer src) throws IOException {
    Link l = connectedLink("send");
    try {
      return l.out.write(src);
    } catch (IOException | RuntimeException e) {
      throw translate(e, "send");
    }
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    Link l = connectedLink("receive");
    try {
      return l.in.read(dst, timeoutNanos(receiveTimeout()));
    } catch (IOException | RuntimeException e) {
      throw translate(e, "receive");
    }
  }

  /** Not supported: a stream socket has one peer; use {@link #send}. */
  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) {
    throw unsupported("sendTo", "a stream socket has no datagrams (expected: connect and send)");
  }

  /** Not supported: a stream socket has one peer; use {@link #receive}. */
  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) {
    throw unsupported("receiveFrom", "a stream socket has no datagrams (expected: receive)");
  }

  @Override
  public void shutdownInput() throws IOException {
    connectedLink("shutdownInput").in.shutInput();
  }

  @Override
  public void shutdownOutput() throws IOException {
    connectedLink("shutdownOutput").out.shutOutput();
  }

  private Link connectedLink(String operation) throws IOException {
    ensureOpen(operation);
    Link l = link;
    if (l == null) {
      throw illegalState(
          operation, "the socket is not connected (expected: connect or accept first)");
    }
    return l;
  }

  /* ---- closing ---- */

  @Override
  protected void closeTransport() throws IOException {
    Backlog b;
    Backlog c;
    Link l;
    int port;
    boolean owns;
    synchronized (lock) {
      b = backlog;
      c = connectingTo;
      l = link;
      port = localPort;
      owns = ownsPort;
    }
    if (owns) {
      network.release(port, this);
    }
    if (b != null) {
      b.close();
    }
    if (c != null) {
      c.wakeConnectors();
    }
    if (l != null) {
      // Each pipe changes in one step, so this socket's own blocked operations see "closed" and
      // the peer's see "reset" at once: the peer never reads an end of stream before the reset.
      if (linger == 0) {
        l.out.shutOutputAndReset();
        l.in.closeReaderAndReset();
      } else {
        l.out.shutOutput();
        l.in.closeReader();
      }
    }
  }

  /* ---- options and addresses ---- */

  @Override
  protected <T> void setTransportOption(SocketOption<T> name, T value) {
    int v = (Integer) value;
    synchronized (lock) {
      if (name == SO_LINGER) {
        linger = v < 0 ? -1 : v;
      } else {
        receiveBuffer = v;
        Link l = link;
        if (l != null) {
          l.in.setCapacity(v);
        }
      }
    }
  }

  @Override
  protected <T> T getTransportOption(SocketOption<T> name) {
    return name.type().cast(name == SO_LINGER ? linger : receiveBuffer);
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
    Link l = link;
    return l == null ? null : MemoryNetwork.address(l.remotePort);
  }

  @Override
  protected String describeTransport() {
    int port = localPort;
    InetSocketAddress local = port < 0 ? null : MemoryNetwork.address(port);
    if (backlog != null) {
      return "listening " + format(local);
    }
    Link l = link;
    if (l != null) {
      return format(local) + " -> " + format(MemoryNetwork.address(l.remotePort));
    }
    Backlog c = connectingTo;
    if (c != null) {
      return "connecting " + format(local) + " -> " + format(MemoryNetwork.address(c.port));
    }
    return local == null ? "unbound" : "bound " + format(local);
  }

  /**
   * The queue of a listening socket: connections made but not yet accepted.
   *
   * <p>Thread-safe; its lock is never held while taking a socket's {@link #lock}.
   */
  private static final class Backlog {
    private final InMemoryStreamSocket listener;
    private final int port;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<InMemoryStreamSocket> queue = new ArrayDeque<>(); // guarded by lock
    private boolean closed; // guarded by lock

    Backlog(InMemoryStreamSocket listener, int capacity) {
      this.listener = listener;
      this.port = listener.localPort;
      this.capacity = capacity;
    }

    /**
     * Queues a connection from {@code client}, waiting while the queue is full, and returns the
     * client's side of it.
     */
    Link offer(InMemoryStreamSocket client, long timeoutNanos) throws IOException {
      lock.lock();
      try {
        long left = timeoutNanos;
        while (true) {
          if (closed) {
            throw refused(port);
          }
          if (!client.isOpenState()) {
            throw new ClosedChannelException();
          }
          if (queue.size() < capacity) {
            break;
          }
          if (timeoutNanos == 0) {
            notFull.await();
          } else if (left <= 0) {
            throw new SocketTimeoutException(
                "Connect timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                    + " ms: memory port "
                    + port
                    + " has a full backlog of "
                    + capacity);
          } else {
            left = notFull.awaitNanos(left);
          }
        }
        MemoryPipe toServer = new MemoryPipe(listener.receiveBuffer);
        MemoryPipe toClient = new MemoryPipe(client.receiveBuffer);
        queue.add(
            new InMemoryStreamSocket(listener, new Link(toServer, toClient, client.localPort)));
        notEmpty.signal();
        return new Link(toClient, toServer, port);
      } catch (InterruptedException e) {
        throw interrupted("connect");
      } finally {
        lock.unlock();
      }
    }

    /** Takes the next connection, waiting for one at most {@code timeoutNanos} (0: no bound). */
    InMemoryStreamSocket take(long timeoutNanos) throws IOException {
      lock.lock();
      try {
        long left = timeoutNanos;
        while (true) {
          if (closed) {
            throw new ClosedChannelException();
          }
          InMemoryStreamSocket next = queue.poll();
          if (next != null) {
            notFull.signal();
            return next;
          }
          if (timeoutNanos == 0) {
            notEmpty.await();
          } else if (left <= 0) {
            throw new SocketTimeoutException(
                "Accept timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                    + " ms: memory port "
                    + port);
          } else {
            left = notEmpty.awaitNanos(left);
          }
        }
      } catch (InterruptedException e) {
        throw interrupted("accept");
      } finally {
        lock.unlock();
      }
    }

    /** Closes the queue: waiting accepts and connects end, queued connections are reset. */
    void close() {
      List<InMemoryStreamSocket> dropped;
      lock.lock();
      try {
        closed = true;
        dropped = new ArrayList<>(queue);
        queue.clear();
        notEmpty.signalAll();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
      for (InMemoryStreamSocket s : dropped) {
        s.link.reset();
      }
    }

    /** Wakes waiting connects so that one whose socket was closed gives up. */
    void wakeConnectors() {
      lock.lock();
      try {
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
