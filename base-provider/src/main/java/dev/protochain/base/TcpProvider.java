package dev.protochain.base;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.EntryKind;
import dev.protochain.api.Protocol;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractBaseProvider;
import dev.protochain.api.spi.AbstractBaseSocket;
import dev.protochain.api.spi.BaseEntryInfo;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.ProviderScope;
import dev.protochain.api.spi.StartupContext;
import dev.protochain.base.internal.TcpSocket;
import java.net.StandardProtocolFamily;
import java.util.EnumSet;

/**
 * Serves TCP stream sockets over {@code java.nio} channels in blocking mode, for an entry of family
 * {@link AddressFamily#INET} or {@link AddressFamily#INET6} (the built-in {@code tcp4} and {@code
 * tcp6}).
 *
 * <p>Sockets support {@code SO_LINGER}, {@code SO_RCVBUF}, {@code SO_SNDBUF}, {@code TCP_NODELAY},
 * {@code SO_KEEPALIVE}, {@code SO_REUSEADDR} and {@link
 * dev.protochain.api.ChainSocketOptions#RECEIVE_TIMEOUT}. {@code bind} only remembers the address:
 * the channel is made and bound by {@code listen} or {@code connect}, which therefore report an
 * address in use. {@code send} writes every byte; {@code sendTo} and {@code receiveFrom} are not
 * supported. The provider starts no threads. {@link #unload()} closes every socket still open, as
 * its {@code SO_LINGER} says, and ends every operation blocked in it with {@link
 * dev.protochain.api.ProtochainException.Code#OPERATION_ABORTED}.
 *
 * <p>This class is thread-safe; see {@link dev.protochain.api.spi.Provider} for the lifecycle.
 */
@ProviderInfo(
    id = BaseProviders.TCP_ID,
    name = BaseProviders.TCP_NAME,
    kind = EntryKind.BASE,
    entries = {
      @BaseEntryInfo(
          id = 1001,
          name = "tcp4",
          family = AddressFamily.INET,
          type = SocketType.STREAM,
          protocol = Protocol.TCP,
          flags = {
            ServiceFlag.GUARANTEED_DELIVERY,
            ServiceFlag.GUARANTEED_ORDER,
            ServiceFlag.GRACEFUL_CLOSE
          }),
      @BaseEntryInfo(
          id = 1002,
          name = "tcp6",
          family = AddressFamily.INET6,
          type = SocketType.STREAM,
          protocol = Protocol.TCP,
          flags = {
            ServiceFlag.GUARANTEED_DELIVERY,
            ServiceFlag.GUARANTEED_ORDER,
            ServiceFlag.GRACEFUL_CLOSE
          })
    },
    version = "1.0.0",
    description = "TCP stream sockets over java.nio channels, for IPv4 or IPv6.")
public final class TcpProvider extends AbstractBaseProvider {

  /** Creates an unloaded provider; the runtime calls this. */
  public TcpProvider() {
    super(
        BaseProviders.TCP_NAME,
        EnumSet.of(AddressFamily.INET, AddressFamily.INET6),
        EnumSet.of(SocketType.STREAM),
        Protocol.TCP);
  }

  /** Opens an unbound, unconnected TCP socket. */
  @Override
  protected AbstractBaseSocket openSocket(ProviderScope scope, StartupContext context) {
    return new TcpSocket(scope);
  }

  static StandardProtocolFamily protocolFamily(AddressFamily family) {
    return family == AddressFamily.INET6
        ? StandardProtocolFamily.INET6
        : StandardProtocolFamily.INET;
  }
}
