package dev.protochain.runtime.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A scripted SOCKS5 proxy on 127.0.0.1 (or another local address): each connection runs a {@link
 * Script} that reads what the client sends and writes the replies a test wants, including malformed
 * ones. What the script reads through {@link Conversation} is recorded.
 *
 * <p>This class is thread-safe.
 */
public final class FakeSocksProxy implements AutoCloseable {

  /** What the proxy does with one connection. */
  public interface Script {
    void run(Conversation c) throws IOException, InterruptedException;
  }

  /** One connection as a script sees it. */
  public static final class Conversation {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final List<byte[]> received;

    Conversation(Socket socket, List<byte[]> received) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
      this.received = received;
    }

    /** Reads exactly {@code n} bytes and records them. */
    public byte[] read(int n) throws IOException {
      byte[] b = new byte[n];
      in.readFully(b);
      received.add(b);
      return b;
    }

    /** Reads a whole CONNECT request (by its address type) and records it. */
    public byte[] readRequest() throws IOException {
      byte[] head = new byte[4];
      in.readFully(head);
      int rest;
      switch (head[3]) {
        case 0x01:
          rest = 4 + 2;
          break;
        case 0x04:
          rest = 16 + 2;
          break;
        case 0x03:
          rest = in.readUnsignedByte() + 2;
          head = Arrays.copyOf(head, 5);
          head[4] = (byte) (rest - 2);
          break;
        default:
          throw new IOException("unknown address type " + head[3]);
      }
      byte[] tail = new byte[rest];
      in.readFully(tail);
      byte[] request = Arrays.copyOf(head, head.length + rest);
      System.arraycopy(tail, 0, request, head.length, rest);
      received.add(request);
      return request;
    }

    /** Writes {@code bytes} (each an unsigned byte value) and flushes. */
    public void write(int... bytes) throws IOException {
      byte[] b = new byte[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        b[i] = (byte) bytes[i];
      }
      write(b);
    }

    /** Writes {@code bytes} and flushes. */
    public void write(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** Copies what arrives back until the client ends its output. */
    public void echo() throws IOException {
      in.transferTo(out);
      out.flush();
    }

    /** Waits until the client closes, reading and dropping what it sends. */
    public void awaitEnd() throws IOException {
      in.transferTo(OutputStream.nullOutputStream());
    }

    /** Closes the connection. */
    public void close() throws IOException {
      socket.close();
    }
  }

  private final ServerSocket server;
  private final Thread acceptor;
  private final List<byte[]> received = Collections.synchronizedList(new ArrayList<>());
  private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
  private final List<Socket> connections = Collections.synchronizedList(new ArrayList<>());

  private FakeSocksProxy(ServerSocket server, Script script) {
    this.server = server;
    this.acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                Socket s;
                try {
                  s = server.accept();
                } catch (IOException closed) {
                  return;
                }
                connections.add(s);
                Thread t =
                    new Thread(
                        () -> {
                          try (s) {
                            script.run(new Conversation(s, received));
                          } catch (IOException
                              | InterruptedException
                              | RuntimeException
                              | AssertionError e) {
                            failures.add(e);
                          }
                        },
                        "fake-socks-connection");
                t.setDaemon(true);
                t.start();
              }
            },
            "fake-socks-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a proxy on 127.0.0.1 with an ephemeral port. */
  public static FakeSocksProxy start(Script script) throws IOException {
    return start(InetAddress.getByName("127.0.0.1"), script);
  }

  /** Starts a proxy on {@code address} with an ephemeral port. */
  public static FakeSocksProxy start(InetAddress address, Script script) throws IOException {
    return new FakeSocksProxy(new ServerSocket(0, 8, address), script);
  }

  /** Returns the port. */
  public int port() {
    return server.getLocalPort();
  }

  /** Returns every message scripts read, in order. */
  public List<byte[]> received() {
    synchronized (received) {
      return new ArrayList<>(received);
    }
  }

  /** Returns what scripts threw; a test that expects none asserts it is empty. */
  public List<Throwable> failures() {
    synchronized (failures) {
      return new ArrayList<>(failures);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (connections) {
      for (Socket s : connections) {
        s.close();
      }
    }
  }
}
