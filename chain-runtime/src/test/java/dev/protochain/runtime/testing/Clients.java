package dev.protochain.runtime.testing;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Many clients of one session connected to one listener, for tests of concurrent closes. */
public final class Clients {

  private Clients() {}

  /**
   * Connects {@code n} clients of {@code session} to {@code listener}, client {@code i} sending the
   * byte {@code i}; returns the clients and adds the accepted ends to {@code peers}.
   */
  public static List<ChainSocket> connectMany(
      ExecutorService pool, Session session, ChainSocket listener, int n, List<ChainSocket> peers)
      throws Exception {
    List<ChainSocket> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Future<ChainSocket> accepted = pool.submit(listener::accept);
      ChainSocket client = session.open();
      clients.add(client);
      client.connect(listener.localAddress());
      client.sendFully(ByteBuffer.wrap(new byte[] {(byte) i}));
      peers.add(accepted.get(10, TimeUnit.SECONDS));
    }
    return clients;
  }
}
