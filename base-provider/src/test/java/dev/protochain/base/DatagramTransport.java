package dev.protochain.base;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.BaseProvider;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/** The datagram transports every datagram test runs over. */
// The suppliers are constructor and method references, which hold no state.
@SuppressWarnings("ImmutableEnumChecker")
enum DatagramTransport {
  UDP4(TestContexts::udp4, UdpProvider::new, "127.0.0.1"),
  UDP6(TestContexts::udp6, UdpProvider::new, "::1"),
  MEMORY(TestContexts::memDgram, InMemoryProvider::new, "127.0.0.1");

  private final Supplier<CatalogEntry> entry;
  private final Supplier<BaseProvider> provider;
  private final String host;

  DatagramTransport(Supplier<CatalogEntry> entry, Supplier<BaseProvider> provider, String host) {
    this.entry = entry;
    this.provider = provider;
    this.host = host;
  }

  LoadedProvider load() throws IOException {
    return LoadedProvider.load(provider.get(), entry.get(), StreamTransport.host(host), Map.of());
  }
}
