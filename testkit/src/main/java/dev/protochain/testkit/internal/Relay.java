package dev.protochain.testkit.internal;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;

/**
 * A relay between two sockets of a bare base, for one connection: it forwards both ways, re-cut at
 * random when given a seed (reads of random sizes, each sent on in random pieces, so that the ends
 * see writes split and merged), and records what passed each way.
 */
public final class Relay implements Closeable {

  private final ChainSocket listener;
  private final List<ChainSocket> sockets = new ArrayList<>();
  private final ByteArrayOutputStream toServer = new ByteArrayOutputStream();
  private final ByteArrayOutputStream toClient = new ByteArrayOutputStream();

  /**
   * Starts a relay to {@code target} on a listener of {@code bare}; {@code seed} null forwards
   * every read whole.
   */
  public Relay(ExecutorService pool, Session bare, SocketAddress target, Long seed)
      throws IOException {
    listener = bare.open();
    listener.bind(null);
    listener.listen(1);
    // A relay that fails ends its connections, which the test through it sees.
    var unused =
        pool.submit(
            () -> {
              ChainSocket client = listener.accept();
              ChainSocket server = bare.open();
              synchronized (sockets) {
                sockets.add(client);
                sockets.add(server);
              }
              server.connect(target);
              var unusedPump =
                  pool.submit(
                      () -> pump(client, server, toServer, seed == null ? null : new Random(seed)));
              pump(server, client, toClient, seed == null ? null : new Random(~seed));
              return null;
            });
  }

  /** Returns where clients connect. */
  public SocketAddress address() throws IOException {
    return listener.localAddress();
  }

  /** Returns what passed from the client to the server so far. */
  public byte[] toServer() {
    return toServer.toByteArray();
  }

  /** Waits until nothing passed towards the server for 100 ms, at most 5 s; returns the count. */
  public int quietToServer() throws InterruptedException {
    int last = -1;
    for (int i = 0; i < 50; i++) {
      int now = toServer.size();
      if (now == last) {
        return now;
      }
      last = now;
      Thread.sleep(100);
    }
    return last;
  }

  private static Void pump(
      ChainSocket from, ChainSocket to, ByteArrayOutputStream record, Random random) {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    try {
      while (true) {
        buf.clear();
        if (random != null) {
          buf.limit(1 + random.nextInt(random.nextBoolean() ? 16 : 8192));
        }
        if (from.receive(buf) < 0) {
          to.shutdownOutput();
          return null;
        }
        buf.flip();
        record.write(buf.array(), 0, buf.limit());
        while (buf.hasRemaining()) {
          ByteBuffer piece = buf.slice();
          if (random != null) {
            piece.limit(Math.min(piece.remaining(), 1 + random.nextInt(2048)));
          }
          to.sendFully(piece);
          buf.position(buf.position() + piece.position());
        }
      }
    } catch (IOException | RuntimeException closed) {
      return null; // one end closed: the relay ends with it
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    synchronized (sockets) {
      for (ChainSocket s : sockets) {
        s.close();
      }
    }
  }
}
