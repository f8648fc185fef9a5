package dev.protochain.agent.internal;

import dev.protochain.agent.boot.Hook;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketImpl;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The in-process relay: connects the advice chose are bound to a loopback port, recorded (local
 * port to original destination and entry) and sent here instead; each accepted connection gets one
 * startup of its entry, a chain socket connected to the original destination, and two pumps that
 * copy with the blocking API ({@code receive}; {@code sendFully}, then {@code flush} after every
 * read). The session is closed, cascading the cleanup, when both directions have ended.
 *
 * <p>The application's side is a {@link SocketChannel} and each pump copies through a direct buffer
 * of its own: a base over NIO channels reads and writes it in place, where a heap array costs a
 * copy into the JDK's temporary direct buffer on each side. A pump whose read fills its buffer
 * moves to one four times larger, up to 1 MiB, so only bulk connections pay for it.
 *
 * <p>Thread-safe. The relay's own connects (the chain's) are never redirected: its threads are
 * marked.
 */
final class Redirector implements Hook.Handler {

  /** A pump's first buffer: what a request/response connection needs. */
  private static final int BUFFER = 64 * 1024;

  /**
   * The largest buffer a pump grows to, four times larger each time a read fills the one it has: a
   * bulk transfer then moves what the socket holds in a few system calls and wakes the next thread
   * a few times per MiB (BENCHMARKS.md, part agent: 256 KiB to 1 MiB took the relayed upload from
   * about 0.55x to 0.65x of a direct one; 2 and 4 MiB did no better).
   */
  private static final int BULK_BUFFER = 1024 * 1024;

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  /** What a redirected connect was for. */
  private record Pending(InetSocketAddress target, CatalogEntry entry) {}

  private final ThreadLocal<Boolean> relayThread = new ThreadLocal<>();
  private final ChainRuntime runtime;
  private final Function<InetSocketAddress, CatalogEntry> selection;
  private final ServerSocketChannel server;
  private final InetSocketAddress address;
  private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
  private final Map<Object, InetSocketAddress> originals =
      Collections.synchronizedMap(new WeakHashMap<>());
  private final Method implBind;
  private final Field implLocalPort;

  final AtomicLong connections = new AtomicLong();
  final AtomicLong direct = new AtomicLong();
  final AtomicLong startups = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  private final AtomicInteger active = new AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ended = lock.newCondition();

  /**
   * Starts the relay's listener. {@code selection} returns the entry a destination is layered over,
   * or null to leave it alone.
   */
  Redirector(ChainRuntime runtime, Function<InetSocketAddress, CatalogEntry> selection)
      throws IOException, ReflectiveOperationException {
    this.runtime = runtime;
    this.selection = selection;
    Class<?> nioSocketImpl = Class.forName("sun.nio.ch.NioSocketImpl");
    implBind = nioSocketImpl.getDeclaredMethod("bind", InetAddress.class, int.class);
    implBind.setAccessible(true);
    implLocalPort = SocketImpl.class.getDeclaredField("localport");
    implLocalPort.setAccessible(true);
    server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(LOOPBACK, 0), 1024);
    address =
        new InetSocketAddress(LOOPBACK, ((InetSocketAddress) server.getLocalAddress()).getPort());
    Thread acceptor = runtime.threadFactory().newThread(this::acceptLoop);
    acceptor.setName("protochain-agent-accept");
    acceptor.start();
  }

  /* ---- the hook ---- */

  @Override
  public SocketAddress connect(Object socket, SocketAddress target) {
    try {
      if (relayThread.get() != null
          || !(target instanceof InetSocketAddress)
          || ((InetSocketAddress) target).isUnresolved()
          || target.equals(address)) {
        return target;
      }
      InetSocketAddress isa = (InetSocketAddress) target;
      CatalogEntry entry = selection.apply(isa);
      if (entry == null) {
        direct.incrementAndGet();
        return target;
      }
      int port = bindLoopback(socket);
      if (port <= 0) {
        direct.incrementAndGet();
        return target;
      }
      // Recorded before the connect goes out: the relay may accept before connect returns.
      pending.put(port, new Pending(isa, entry));
      originals.put(socket, isa);
      connections.incrementAndGet();
      return address;
    } catch (IOException | ReflectiveOperationException | RuntimeException e) {
      direct.incrementAndGet();
      return target; // a socket the agent cannot prepare goes direct, as without it
    }
  }

  /** Binds {@code socket} to a loopback port unless bound; returns its port, or -1 to go direct. */
  private int bindLoopback(Object socket) throws IOException, ReflectiveOperationException {
    if (socket instanceof SocketChannel) {
      SocketChannel channel = (SocketChannel) socket;
      InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
      if (local == null) {
        channel.bind(new InetSocketAddress(LOOPBACK, 0));
        local = (InetSocketAddress) channel.getLocalAddress();
      } else if (!local.getAddress().isLoopbackAddress()
          && !local.getAddress().isAnyLocalAddress()) {
        return -1; // bound to another interface by the application: it cannot reach loopback
      }
      return local.getPort();
    }
    if (socket instanceof SocketImpl) {
      int port = implLocalPort.getInt(socket);
      if (port == 0) {
        implBind.invoke(socket, LOOPBACK, 0);
        port = implLocalPort.getInt(socket);
      }
      return port;
    }
    return -1;
  }

  @Override
  public SocketAddress remoteAddress(Object channel, SocketAddress reported) {
    if (!address.equals(reported)) {
      return reported;
    }
    InetSocketAddress original = originals.get(channel);
    return original == null ? reported : original;
  }

  @Override
  public InetAddress inetAddress(Object impl, InetAddress reported) {
    if (!reported.isLoopbackAddress()) {
      return reported;
    }
    InetSocketAddress original = originals.get(impl);
    return original == null ? reported : original.getAddress();
  }

  @Override
  public int port(Object impl, int reported) {
    if (reported != address.getPort()) {
      return reported;
    }
    InetSocketAddress original = originals.get(impl);
    return original == null ? reported : original.getPort();
  }

  /* ---- the relay ---- */

  private void acceptLoop() {
    relayThread.set(Boolean.TRUE);
    while (server.isOpen()) {
      SocketChannel app;
      int port;
      try {
        app = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      try {
        port = ((InetSocketAddress) app.getRemoteAddress()).getPort();
      } catch (IOException e) {
        reset(app); // gone already
        continue;
      }
      active.incrementAndGet(); // before the removal: awaitRelays sees it pending or active
      Pending p = pending.remove(port);
      if (p == null) {
        reset(app); // not a connect the advice sent here
        relayEnded();
        continue;
      }
      try {
        Thread t = runtime.threadFactory().newThread(() -> relay(app, p));
        t.setName("protochain-agent-relay-" + port);
        t.start();
      } catch (RuntimeException e) {
        failures.incrementAndGet();
        reset(app);
        relayEnded();
      }
    }
  }

  private void relay(SocketChannel app, Pending p) {
    relayThread.set(Boolean.TRUE);
    try {
      Session session;
      try {
        session = runtime.startup(p.entry.id());
      } catch (IOException | RuntimeException e) {
        failures.incrementAndGet();
        reset(app);
        return;
      }
      startups.incrementAndGet();
      try (session) {
        ChainSocket chain;
        try {
          chain = session.open();
          chain.connect(p.target);
        } catch (IOException | RuntimeException e) {
          failures.incrementAndGet();
          reset(app); // the application sees its connection reset
          return;
        }
        noDelay(app, chain);
        pump(app, chain, p.target.getPort());
      } catch (IOException | RuntimeException e) {
        failures.incrementAndGet();
      }
    } finally {
      relayEnded();
    }
  }

  private static void noDelay(SocketChannel app, ChainSocket chain) {
    try {
      app.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (chain.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
        chain.setOption(StandardSocketOptions.TCP_NODELAY, true);
      }
    } catch (IOException | RuntimeException ignored) {
      // Latency only: the bytes still flow.
    }
  }

  /** Copies both ways until both have ended, the upstream on a second thread. */
  private void pump(SocketChannel app, ChainSocket chain, int port) throws IOException {
    Thread up =
        runtime
            .threadFactory()
            .newThread(
                () -> {
                  relayThread.set(Boolean.TRUE);
                  ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
                  try {
                    while (app.read(buffer.clear()) >= 0) {
                      ByteBuffer read = buffer.flip();
                      buffer = grown(read);
                      chain.sendFully(read);
                      chain.flush(); // a relay sees no message boundaries: never leave bytes held
                    }
                    chain.shutdownOutput();
                  } catch (IOException | RuntimeException e) {
                    abort(app, chain);
                  }
                });
    up.setName("protochain-agent-up-" + port);
    up.start();
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    try {
      while (chain.receive(buffer.clear()) >= 0) {
        ByteBuffer read = buffer.flip();
        buffer = grown(read);
        while (read.hasRemaining()) {
          app.write(read);
        }
      }
      app.shutdownOutput();
    } catch (IOException | RuntimeException e) {
      abort(app, chain);
    }
    try {
      up.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort(app, chain);
    }
    try {
      app.close();
    } finally {
      chain.close();
    }
  }

  /**
   * Returns the buffer for the next read: one four times larger, up to {@link #BULK_BUFFER}, if
   * {@code read} (flipped) filled it, else {@code read} itself.
   */
  static ByteBuffer grown(ByteBuffer read) {
    return read.limit() == read.capacity() && read.capacity() < BULK_BUFFER
        ? ByteBuffer.allocateDirect(Math.min(BULK_BUFFER, read.capacity() * 4))
        : read;
  }

  /** Ends both sides at once: the application sees a reset, as a broken connection shows. */
  private static void abort(SocketChannel app, ChainSocket chain) {
    reset(app);
    try {
      chain.close();
    } catch (IOException | RuntimeException ignored) {
      // Closing anyway.
    }
  }

  private static void reset(SocketChannel app) {
    try {
      app.setOption(StandardSocketOptions.SO_LINGER, 0);
    } catch (IOException | RuntimeException ignored) {
      // Closed already.
    }
    try {
      app.close();
    } catch (IOException ignored) {
      // Closed already.
    }
  }

  private void relayEnded() {
    lock.lock();
    try {
      if (active.decrementAndGet() == 0) {
        ended.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits up to {@code millis} for every relay to end, those redirected but not yet accepted
   * included (call it before {@link #close}); returns whether they all did.
   */
  boolean awaitRelays(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    lock.lock();
    try {
      while (active.get() > 0 || !pending.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        // An accept does not signal: a connect still pending is looked at again within 10 ms.
        ended.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Stops accepting. */
  void close() throws IOException {
    server.close();
  }

  /** Returns the listener's address. */
  InetSocketAddress address() {
    return address;
  }
}
