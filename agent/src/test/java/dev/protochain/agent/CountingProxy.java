package dev.protochain.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server side's own count of what crossed the wire: a plain TCP forwarder in the test's JVM
 * (which has no agent) in front of a server, counting connections and bytes each way.
 */
final class CountingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress backend;
  final AtomicInteger connections = new AtomicInteger();
  final AtomicLong up = new AtomicLong(); // client to server
  final AtomicLong down = new AtomicLong(); // server to client
  private final AtomicInteger pumps = new AtomicInteger();

  CountingProxy(int backendPort) throws IOException {
    backend = new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort);
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "counting-proxy");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      connections.incrementAndGet();
      try {
        Socket target = new Socket();
        target.connect(backend, 5_000);
        client.setTcpNoDelay(true);
        target.setTcpNoDelay(true);
        AtomicInteger ends = new AtomicInteger(2);
        pump(client, target, up, ends);
        pump(target, client, down, ends);
      } catch (IOException e) {
        close(client);
      }
    }
  }

  private void pump(Socket from, Socket to, AtomicLong counter, AtomicInteger ends) {
    pumps.incrementAndGet();
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[65536];
              try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  counter.addAndGet(n);
                  out.write(buffer, 0, n);
                }
                to.shutdownOutput();
              } catch (IOException e) {
                close(from);
                close(to);
              } finally {
                if (ends.decrementAndGet() == 0) {
                  close(from);
                  close(to);
                }
                synchronized (pumps) {
                  pumps.decrementAndGet();
                  pumps.notifyAll();
                }
              }
            },
            "counting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Waits until {@code expected} connections were accepted (one may still wait in the backlog when
   * its client is gone already) and every forwarded one has ended both ways; returns whether so.
   */
  boolean awaitIdle(int expected, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (connections.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    return awaitIdle(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime())));
  }

  /** Waits until every forwarded connection has ended both ways; returns whether they all did. */
  boolean awaitIdle(long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    synchronized (pumps) {
      while (pumps.get() > 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        pumps.wait(left);
      }
    }
    return true;
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closed already
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
