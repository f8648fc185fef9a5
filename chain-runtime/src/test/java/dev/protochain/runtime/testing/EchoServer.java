package dev.protochain.runtime.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A plain TCP echo server on loopback addresses, all with the same port: each connection gets back
 * what it sends, and the server ends its output when the client ends its own.
 *
 * <p>Listening on 127.0.0.1 and ::1 at once makes a target named {@code localhost} reachable
 * whichever address a resolver (a proxy's {@code getaddrinfo}) puts first. This class is
 * thread-safe.
 */
public final class EchoServer implements AutoCloseable {

  private final List<ServerSocket> listeners;
  private final List<Socket> connections = Collections.synchronizedList(new ArrayList<>());

  private EchoServer(List<ServerSocket> listeners) {
    this.listeners = listeners;
    for (ServerSocket l : listeners) {
      Thread t = new Thread(() -> acceptLoop(l), "echo-" + l.getLocalSocketAddress());
      t.setDaemon(true);
      t.start();
    }
  }

  /** Starts an echo server on 127.0.0.1 with an ephemeral port. */
  public static EchoServer start() throws IOException {
    return start(InetAddress.getByName("127.0.0.1"));
  }

  /**
   * Starts an echo server on every one of {@code addresses}, with one ephemeral port they share;
   * retries a few times when another program holds that port on one of them.
   */
  public static EchoServer start(InetAddress... addresses) throws IOException {
    BindException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      List<ServerSocket> opened = new ArrayList<>();
      try {
        ServerSocket first = new ServerSocket(0, 16, addresses[0]);
        opened.add(first);
        for (int i = 1; i < addresses.length; i++) {
          opened.add(new ServerSocket(first.getLocalPort(), 16, addresses[i]));
        }
        return new EchoServer(opened);
      } catch (BindException e) {
        last = e;
        for (ServerSocket s : opened) {
          s.close();
        }
      }
    }
    throw last;
  }

  /** Returns the port every address listens on. */
  public int port() {
    return listeners.get(0).getLocalPort();
  }

  private void acceptLoop(ServerSocket listener) {
    while (!listener.isClosed()) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException closed) {
        return;
      }
      connections.add(s);
      Thread t =
          new Thread(
              () -> {
                try (s;
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream()) {
                  in.transferTo(out);
                  out.flush();
                  s.shutdownOutput();
                } catch (IOException peerGone) {
                  // the test asserts what its client received
                }
              },
              "echo-connection");
      t.setDaemon(true);
      t.start();
    }
  }

  @Override
  public void close() throws IOException {
    for (ServerSocket l : listeners) {
      l.close();
    }
    synchronized (connections) {
      for (Socket s : connections) {
        s.close();
      }
    }
  }
}
