package dev.protochain.base;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.EntryKind;
import dev.protochain.api.Protocol;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractBaseProvider;
import dev.protochain.api.spi.AbstractBaseSocket;
import dev.protochain.api.spi.BaseEntryInfo;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.ProviderScope;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import dev.protochain.base.internal.InMemoryDatagramSocket;
import dev.protochain.base.internal.InMemoryStreamSocket;
import dev.protochain.base.internal.MemoryNetwork;
import java.io.IOException;
import java.util.EnumSet;

/**
 * Serves in-memory loopback sockets, stream or datagram as its entry's type says (the built-in
 * {@code mem-stream} and {@code mem-dgram}), for tests and benchmarks that need no network.
 *
 * <p>Each instance is its own world: a port namespace no other instance sees, and no static state.
 * Addresses are {@code InetSocketAddress(InetAddress.getLoopbackAddress(), port)}; the port alone
 * identifies an endpoint; binding to port 0 takes an ephemeral port from 49152 up. The setting
 * {@value #BUFFER_SIZE} bounds each direction of a stream connection (and each datagram socket's
 * queue), so {@code send} can be partial: it accepts at least one byte and at most the free space,
 * blocking while the buffer is full. Stream sockets support {@code SO_LINGER} and {@code SO_RCVBUF}
 * (that socket's receive buffer size); datagram sockets {@code SO_RCVBUF}; both {@link
 * dev.protochain.api.ChainSocketOptions#RECEIVE_TIMEOUT}. Connecting to a port with no listener is
 * refused at once; connecting to a listener whose backlog is full blocks, bounded by the connect
 * timeout. The provider starts no threads. {@link #unload()} closes every socket still open, as its
 * {@code SO_LINGER} says, and ends every operation blocked in it with {@link
 * dev.protochain.api.ProtochainException.Code#OPERATION_ABORTED}.
 *
 * <p>This class is thread-safe; see {@link dev.protochain.api.spi.Provider} for the lifecycle.
 */
@ProviderInfo(
    id = BaseProviders.MEMORY_ID,
    name = BaseProviders.MEMORY_NAME,
    kind = EntryKind.BASE,
    entries = {
      @BaseEntryInfo(
          id = 1005,
          name = "mem-stream",
          family = AddressFamily.MEMORY,
          type = SocketType.STREAM,
          protocol = Protocol.MEMORY,
          flags = {
            ServiceFlag.GUARANTEED_DELIVERY,
            ServiceFlag.GUARANTEED_ORDER,
            ServiceFlag.GRACEFUL_CLOSE
          }),
      @BaseEntryInfo(
          id = 1006,
          name = "mem-dgram",
          family = AddressFamily.MEMORY,
          type = SocketType.DATAGRAM,
          protocol = Protocol.MEMORY,
          flags = {ServiceFlag.CONNECTIONLESS, ServiceFlag.MESSAGE_ORIENTED})
    },
    version = "1.0.0",
    settings =
        @SettingInfo(
            name = InMemoryProvider.BUFFER_SIZE,
            defaultValue = "" + InMemoryProvider.DEFAULT_BUFFER_SIZE,
            description = "Bytes buffered per direction of a connection, and per datagram socket."),
    description =
        "In-memory loopback sockets, stream or datagram; each instance is its own network.")
public final class InMemoryProvider extends AbstractBaseProvider {

  /** The setting bounding each direction's buffer, in bytes. */
  public static final String BUFFER_SIZE = "buffer-size";

  /** The default of {@value #BUFFER_SIZE}. */
  public static final int DEFAULT_BUFFER_SIZE = 65536;

  private volatile MemoryNetwork network;

  /** Creates an unloaded provider; the runtime calls this. */
  public InMemoryProvider() {
    super(
        BaseProviders.MEMORY_NAME,
        EnumSet.of(AddressFamily.MEMORY),
        EnumSet.allOf(SocketType.class),
        Protocol.MEMORY);
  }

  /**
   * Reads {@value #BUFFER_SIZE} and creates this instance's network.
   *
   * @throws IOException naming the entry if {@value #BUFFER_SIZE} is not a positive whole number
   */
  @Override
  protected void onLoad(ProviderContext context, ProviderScope scope) throws IOException {
    int bufferSize;
    try {
      // A runtime merges the descriptor's default (DEFAULT_BUFFER_SIZE, the one constant); a
      // source that gives this class another descriptor may not.
      bufferSize =
          context.settings().get(BUFFER_SIZE).isPresent()
              ? context.settings().getInt(BUFFER_SIZE, 1, Integer.MAX_VALUE)
              : DEFAULT_BUFFER_SIZE;
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "provider '"
              + BaseProviders.MEMORY_NAME
              + "' cannot load "
              + context.entry()
              + ": "
              + e.getMessage(),
          e);
    }
    network = new MemoryNetwork(bufferSize);
  }

  /** Opens an unbound socket of the entry's type. */
  @Override
  protected AbstractBaseSocket openSocket(ProviderScope scope, StartupContext context) {
    return scope.entry().type() == SocketType.STREAM
        ? new InMemoryStreamSocket(scope, network)
        : new InMemoryDatagramSocket(scope, network);
  }

  /** Forgets every port; the sockets were closed before. */
  @Override
  protected void onUnload() {
    MemoryNetwork n = network;
    if (n != null) {
      n.clear();
    }
  }
}
