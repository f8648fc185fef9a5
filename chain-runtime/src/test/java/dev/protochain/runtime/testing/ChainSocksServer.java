package dev.protochain.runtime.testing;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small SOCKS5 server over the chain sockets of one runtime: RFC 1928 with the "no
 * authentication" method and the {@code CONNECT} command, for IPv4, IPv6 and domain-name targets.
 * It listens through a session of one entry and connects to each target through the same session,
 * then relays both directions, passing each end of stream on as a half-close and closing both
 * connections when both directions have ended. It is the proxy a {@code socks5} layer over the
 * in-memory loopback connects through, which no proxy outside the runtime can reach.
 *
 * <p>Replies follow RFC 1928 section 6: {@code 0x00} on success with the address the server
 * connected from; {@code 0x05} when the target refuses, {@code 0x04} when its name does not
 * resolve, {@code 0x01} for any other failure to connect; {@code 0x07} for a command other than
 * {@code CONNECT} and {@code 0x08} for an unknown address type, after which it closes the
 * connection. A greeting that does not offer "no authentication" gets {@code 0xFF} and is closed.
 * What a connection's handling throws, other than the end of a connection, is kept in {@link
 * #failures()}, and each request it read in {@link #requests()}. Names it is given at start are
 * resolved by it alone, before the system's resolver: names only the proxy can resolve.
 *
 * <p>This class is thread-safe.
 */
public final class ChainSocksServer implements Closeable {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final Session session;
  private final ChainSocket listener;
  private final Thread acceptor;
  private final List<ChainSocket> sockets = Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
  private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, InetAddress> names;
  private final AtomicInteger served = new AtomicInteger();
  private volatile boolean closing;

  private ChainSocksServer(Session session, ChainSocket listener, Map<String, InetAddress> names) {
    this.session = session;
    this.listener = listener;
    this.names = Map.copyOf(names);
    this.acceptor = new Thread(this::acceptLoop, "chain-socks-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Starts a server listening on {@code bind} through a new session of the entry named {@code
   * entry} of {@code runtime}; {@link #close()} ends that session.
   */
  public static ChainSocksServer start(ChainRuntime runtime, String entry, SocketAddress bind)
      throws IOException {
    return start(runtime, entry, bind, Map.of());
  }

  /**
   * Starts a server as {@link #start(ChainRuntime, String, SocketAddress)} does that resolves each
   * of {@code names} to its address itself, without asking the system's resolver.
   */
  public static ChainSocksServer start(
      ChainRuntime runtime, String entry, SocketAddress bind, Map<String, InetAddress> names)
      throws IOException {
    Session session = runtime.startup(entry);
    try {
      ChainSocket listener = session.open();
      listener.bind(bind);
      listener.listen(64);
      return new ChainSocksServer(session, listener, names);
    } catch (IOException | RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** Returns the address it listens on. */
  public SocketAddress address() throws IOException {
    return listener.localAddress();
  }

  /** Returns how many connections it has accepted. */
  public int served() {
    return served.get();
  }

  /**
   * Returns what the handling of connections threw; a test that expects none asserts it is empty.
   */
  public List<Throwable> failures() {
    synchronized (failures) {
      return new ArrayList<>(failures);
    }
  }

  /**
   * Returns each CONNECT request read, in order, as its address type and target: {@code ipv4
   * 127.0.0.1:80}, {@code ipv6 [::1]:80} or {@code domain example.org:80}.
   */
  public List<String> requests() {
    synchronized (requests) {
      return new ArrayList<>(requests);
    }
  }

  private void acceptLoop() {
    while (true) {
      ChainSocket client;
      try {
        client = listener.accept();
      } catch (IOException | RuntimeException e) {
        if (!closing) {
          failures.add(e);
        }
        return;
      }
      served.incrementAndGet();
      sockets.add(client);
      spawn("chain-socks-connection", () -> serve(client));
    }
  }

  private void spawn(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void serve(ChainSocket client) {
    ChainSocket target = null;
    try {
      ByteBuffer greeting = read(client, 2);
      checkVersion(greeting.get(0));
      ByteBuffer methods = read(client, Byte.toUnsignedInt(greeting.get(1)));
      boolean noAuth = false;
      while (methods.hasRemaining()) {
        noAuth |= methods.get() == 0x00;
      }
      if (!noAuth) {
        client.sendFully(ByteBuffer.wrap(new byte[] {5, (byte) 0xFF}));
        client.close();
        return;
      }
      client.sendFully(ByteBuffer.wrap(new byte[] {5, 0}));
      ByteBuffer head = read(client, 4);
      checkVersion(head.get(0));
      InetSocketAddress to;
      switch (head.get(3)) {
        case 0x01 ->
            to =
                new InetSocketAddress(
                    InetAddress.getByAddress(bytes(read(client, 4))), port(client));
        case 0x04 ->
            to =
                new InetSocketAddress(
                    InetAddress.getByAddress(bytes(read(client, 16))), port(client));
        case 0x03 -> {
          String host =
              new String(
                  bytes(read(client, Byte.toUnsignedInt(read(client, 1).get(0)))),
                  StandardCharsets.US_ASCII);
          to = InetSocketAddress.createUnresolved(host, port(client));
        }
        default -> {
          refuse(client, 0x08);
          return;
        }
      }
      requests.add(
          (to.isUnresolved()
                  ? "domain " + to.getHostString()
                  : to.getAddress() instanceof Inet4Address
                      ? "ipv4 " + to.getAddress().getHostAddress()
                      : "ipv6 [" + to.getAddress().getHostAddress() + "]")
              + ":"
              + to.getPort());
      if (head.get(1) != 0x01) {
        refuse(client, 0x07);
        return;
      }
      target = session.open();
      sockets.add(target);
      try {
        if (to.isUnresolved()) {
          InetAddress known = names.get(to.getHostString());
          to =
              new InetSocketAddress(
                  known != null ? known : InetAddress.getByName(to.getHostString()), to.getPort());
        }
        target.connect(to, CONNECT_TIMEOUT);
      } catch (UnknownHostException e) {
        refuse(client, 0x04);
        target.close();
        return;
      } catch (ConnectException e) {
        refuse(client, 0x05);
        target.close();
        return;
      } catch (IOException e) {
        refuse(client, 0x01);
        target.close();
        return;
      }
      client.sendFully(success((InetSocketAddress) target.localAddress()));
      relay(client, target);
    } catch (IOException | RuntimeException e) {
      if (!closing) {
        failures.add(e);
      }
      closeQuietly(client);
      if (target != null) {
        closeQuietly(target);
      }
    }
  }

  /** Copies each direction on its own thread; the direction that ends last closes both sockets. */
  private void relay(ChainSocket client, ChainSocket target) {
    AtomicInteger running = new AtomicInteger(2);
    Runnable ended =
        () -> {
          if (running.decrementAndGet() == 0) {
            closeQuietly(client);
            closeQuietly(target);
          }
        };
    spawn("chain-socks-upstream", () -> copy(client, target, ended));
    copy(target, client, ended);
  }

  private void copy(ChainSocket from, ChainSocket to, Runnable ended) {
    ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
    try {
      while (from.receive(buf.clear()) >= 0) {
        to.sendFully(buf.flip());
      }
      to.shutdownOutput(); // the half-close goes on
      ended.run();
    } catch (IOException | RuntimeException e) {
      // One side broke the connection: so does the relay, to both.
      closeQuietly(from);
      closeQuietly(to);
      ended.run();
    }
  }

  private static ByteBuffer success(InetSocketAddress bound) {
    byte[] address = bound.getAddress().getAddress();
    ByteBuffer reply = ByteBuffer.allocate(6 + address.length);
    reply
        .put((byte) 5)
        .put((byte) 0)
        .put((byte) 0)
        .put((byte) (bound.getAddress() instanceof Inet4Address ? 1 : 4))
        .put(address)
        .putShort((short) bound.getPort());
    return reply.flip();
  }

  private static void refuse(ChainSocket client, int code) throws IOException {
    client.sendFully(ByteBuffer.wrap(new byte[] {5, (byte) code, 0, 1, 0, 0, 0, 0, 0, 0}));
    client.close();
  }

  private static void checkVersion(byte version) throws ProtocolException {
    if (version != 5) {
      throw new ProtocolException("not SOCKS5: version " + version);
    }
  }

  private static int port(ChainSocket client) throws IOException {
    return Short.toUnsignedInt(read(client, 2).getShort());
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static ByteBuffer read(ChainSocket s, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    if (!s.receiveFully(b)) {
      throw new EOFException(
          "the client ended the connection after " + b.position() + " of " + n + " bytes");
    }
    return b.flip();
  }

  private static void closeQuietly(ChainSocket s) {
    try {
      s.close();
    } catch (IOException | RuntimeException alreadyGone) {
      // closing is all that is left to do
    }
  }

  /**
   * Stops accepting, closes every connection, waits up to 10 s for its threads to end, then closes
   * its session.
   */
  @Override
  public void close() throws IOException {
    closing = true;
    closeQuietly(listener);
    List<ChainSocket> open;
    synchronized (sockets) {
      open = new ArrayList<>(sockets);
    }
    open.forEach(ChainSocksServer::closeQuietly);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    try {
      acceptor.join(10_000);
      List<Thread> all;
      synchronized (threads) {
        all = new ArrayList<>(threads);
      }
      for (Thread t : all) {
        t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      session.close();
    }
  }
}
