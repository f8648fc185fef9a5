package dev.protochain.base;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.BaseProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.function.Supplier;

/** The stream transports every stream test runs over. */
// The suppliers are constructor and method references, which hold no state.
@SuppressWarnings("ImmutableEnumChecker")
enum StreamTransport {
  TCP4(TestContexts::tcp4, TcpProvider::new, "127.0.0.1"),
  TCP6(TestContexts::tcp6, TcpProvider::new, "::1"),
  MEMORY(TestContexts::memStream, InMemoryProvider::new, "127.0.0.1");

  private final Supplier<CatalogEntry> entry;
  private final Supplier<BaseProvider> provider;
  private final String host;

  StreamTransport(Supplier<CatalogEntry> entry, Supplier<BaseProvider> provider, String host) {
    this.entry = entry;
    this.provider = provider;
    this.host = host;
  }

  LoadedProvider load() throws IOException {
    return load(Map.of());
  }

  LoadedProvider load(Map<String, String> settings) throws IOException {
    return LoadedProvider.load(provider.get(), entry.get(), host(host), settings);
  }

  static InetAddress host(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new UncheckedIOException(e);
    }
  }
}
