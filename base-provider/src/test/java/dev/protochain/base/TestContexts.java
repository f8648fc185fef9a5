package dev.protochain.base;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Protocol;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.Settings;
import dev.protochain.api.SocketType;
import dev.protochain.api.Version;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.api.spi.RuntimeServices;
import dev.protochain.api.spi.StartupContext;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Hand-written contexts standing in for the runtime, and the built-in base entries.
 *
 * <p>This class is immutable.
 */
final class TestContexts {

  static final RuntimeServices SERVICES =
      new RuntimeServices() {
        @Override
        public String runtimeName() {
          return "base-provider-test";
        }

        @Override
        public Clock clock() {
          return Clock.systemUTC();
        }

        @Override
        public <T> Optional<T> find(Class<T> type) {
          return Optional.empty();
        }
      };

  private TestContexts() {}

  static CatalogEntry tcp4() {
    return entry(
        1001, BaseProviders.TCP, "tcp4", AddressFamily.INET, SocketType.STREAM, Protocol.TCP);
  }

  static CatalogEntry tcp6() {
    return entry(
        1002, BaseProviders.TCP, "tcp6", AddressFamily.INET6, SocketType.STREAM, Protocol.TCP);
  }

  static CatalogEntry udp4() {
    return entry(
        1003, BaseProviders.UDP, "udp4", AddressFamily.INET, SocketType.DATAGRAM, Protocol.UDP);
  }

  static CatalogEntry udp6() {
    return entry(
        1004, BaseProviders.UDP, "udp6", AddressFamily.INET6, SocketType.DATAGRAM, Protocol.UDP);
  }

  static CatalogEntry memStream() {
    return entry(
        1005,
        BaseProviders.MEMORY,
        "mem-stream",
        AddressFamily.MEMORY,
        SocketType.STREAM,
        Protocol.MEMORY);
  }

  static CatalogEntry memDgram() {
    return entry(
        1006,
        BaseProviders.MEMORY,
        "mem-dgram",
        AddressFamily.MEMORY,
        SocketType.DATAGRAM,
        Protocol.MEMORY);
  }

  private static CatalogEntry entry(
      int id,
      UUID provider,
      String name,
      AddressFamily family,
      SocketType type,
      Protocol protocol) {
    EnumSet<ServiceFlag> flags =
        type == SocketType.STREAM
            ? EnumSet.of(
                ServiceFlag.GUARANTEED_DELIVERY,
                ServiceFlag.GUARANTEED_ORDER,
                ServiceFlag.GRACEFUL_CLOSE)
            : EnumSet.of(ServiceFlag.CONNECTIONLESS, ServiceFlag.MESSAGE_ORIENTED);
    return CatalogEntry.builder()
        .id(id)
        .providerId(provider)
        .name(name)
        .serves(family, type, protocol)
        .flags(flags)
        .chain(ProtocolChain.base(id))
        .build();
  }

  /** Returns the load context of {@code entry} with {@code settings} (no descriptor defaults). */
  static ProviderContext load(CatalogEntry entry, Map<String, String> settings) {
    Settings s = Settings.of(entry.toString(), settings);
    return new ProviderContext() {
      @Override
      public CatalogEntry entry() {
        return entry;
      }

      @Override
      public ProviderDescriptor descriptor() {
        return descriptorOf(entry.providerId());
      }

      @Override
      public Settings settings() {
        return s;
      }

      @Override
      public RuntimeServices services() {
        return SERVICES;
      }
    };
  }

  static ProviderDescriptor descriptorOf(UUID provider) {
    Class<?> type =
        provider.equals(BaseProviders.TCP)
            ? TcpProvider.class
            : provider.equals(BaseProviders.UDP) ? UdpProvider.class : InMemoryProvider.class;
    try {
      return ProviderDescriptor.of(type);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  static ProviderContext load(CatalogEntry entry) {
    return load(entry, Map.of());
  }

  /**
   * Returns the startup context a base provider receives: its own entry at the bottom of a chain.
   */
  static StartupContext startup(CatalogEntry entry) {
    return new StartupContext() {
      @Override
      public Version version() {
        return Version.CURRENT;
      }

      @Override
      public CatalogEntry entry() {
        return entry;
      }

      @Override
      public int depth() {
        return 0;
      }

      @Override
      public RuntimeServices services() {
        return SERVICES;
      }
    };
  }
}
