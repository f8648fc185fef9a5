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
import dev.protochain.base.internal.UdpSocket;
import java.io.IOException;
import java.util.EnumSet;

/**
 * Serves UDP datagram sockets over {@code java.nio} channels in blocking mode, for an entry of
 * family {@link AddressFamily#INET} or {@link AddressFamily#INET6} (the built-in {@code udp4} and
 * {@code udp6}).
 *
 * <p>Sockets support {@code SO_RCVBUF}, {@code SO_SNDBUF}, {@code SO_REUSEADDR}, {@code
 * SO_BROADCAST} and {@link dev.protochain.api.ChainSocketOptions#RECEIVE_TIMEOUT}. {@code connect}
 * fixes the peer of {@code send} and {@code receive}; a datagram longer than the receiving buffer
 * is truncated; {@code listen}, {@code accept} and the shutdowns are not supported. The provider
 * starts no threads. {@link #unload()} closes every socket still open and ends every operation
 * blocked in it with {@link dev.protochain.api.ProtochainException.Code#OPERATION_ABORTED}.
 *
 * <p>This class is thread-safe; see {@link dev.protochain.api.spi.Provider} for the lifecycle.
 */
@ProviderInfo(
    id = BaseProviders.UDP_ID,
    name = BaseProviders.UDP_NAME,
    kind = EntryKind.BASE,
    entries = {
      @BaseEntryInfo(
          id = 1003,
          name = "udp4",
          family = AddressFamily.INET,
          type = SocketType.DATAGRAM,
          protocol = Protocol.UDP,
          flags = {
            ServiceFlag.CONNECTIONLESS,
            ServiceFlag.MESSAGE_ORIENTED,
            ServiceFlag.SUPPORT_BROADCAST
          }),
      @BaseEntryInfo(
          id = 1004,
          name = "udp6",
          family = AddressFamily.INET6,
          type = SocketType.DATAGRAM,
          protocol = Protocol.UDP,
          flags = {ServiceFlag.CONNECTIONLESS, ServiceFlag.MESSAGE_ORIENTED})
    },
    version = "1.0.0",
    description = "UDP datagram sockets over java.nio channels, for IPv4 or IPv6.")
public final class UdpProvider extends AbstractBaseProvider {

  /** Creates an unloaded provider; the runtime calls this. */
  public UdpProvider() {
    super(
        BaseProviders.UDP_NAME,
        EnumSet.of(AddressFamily.INET, AddressFamily.INET6),
        EnumSet.of(SocketType.DATAGRAM),
        Protocol.UDP);
  }

  /** Opens an unbound UDP socket. */
  @Override
  protected AbstractBaseSocket openSocket(ProviderScope scope, StartupContext context)
      throws IOException {
    return new UdpSocket(scope, TcpProvider.protocolFamily(scope.entry().family()));
  }
}
