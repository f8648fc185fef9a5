package dev.protochain.base;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.BaseProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A base provider loaded for one entry, with helpers to open, bind and connect its sockets; {@link
 * #close()} unloads it.
 *
 * <p>Not thread-safe, except {@link #open()}.
 */
final class LoadedProvider implements AutoCloseable {

  /** Two ends of one stream connection. */
  static final class Connection {
    final ChainSocket client;
    final ChainSocket server;

    Connection(ChainSocket client, ChainSocket server) {
      this.client = client;
      this.server = server;
    }
  }

  final BaseProvider provider;
  final CatalogEntry entry;
  final InetAddress host;
  private final List<ChainSocket> opened = new ArrayList<>();
  private boolean unloaded;

  private LoadedProvider(BaseProvider provider, CatalogEntry entry, InetAddress host) {
    this.provider = provider;
    this.entry = entry;
    this.host = host;
  }

  static LoadedProvider load(
      BaseProvider provider, CatalogEntry entry, InetAddress host, Map<String, String> settings)
      throws IOException {
    provider.load(TestContexts.load(entry, settings));
    return new LoadedProvider(provider, entry, host);
  }

  InetSocketAddress address(int port) {
    return new InetSocketAddress(host, port);
  }

  synchronized ChainSocket open() throws IOException {
    ChainSocket s = provider.open(TestContexts.startup(entry));
    opened.add(s);
    return s;
  }

  synchronized List<ChainSocket> opened() {
    return List.copyOf(opened);
  }

  /** Opens a socket listening on an ephemeral port of the loopback address. */
  ChainSocket listen() throws IOException {
    ChainSocket listener = open();
    listener.bind(address(0));
    listener.listen(0);
    return listener;
  }

  /** Returns the port {@code socket} is bound to. */
  static int port(ChainSocket socket) throws IOException {
    return ((InetSocketAddress) socket.localAddress()).getPort();
  }

  /** Connects a new socket to {@code listener} and accepts it. */
  Connection connect(ChainSocket listener) throws IOException {
    ChainSocket client = open();
    client.connect(address(port(listener)));
    ChainSocket server = listener.accept();
    assertEquals(client.localAddress(), server.remoteAddress(), "accepted socket's peer");
    return new Connection(client, server);
  }

  /** Unloads the provider, once. */
  @Override
  public void close() throws IOException {
    if (!unloaded) {
      unloaded = true;
      provider.unload();
    }
  }
}
