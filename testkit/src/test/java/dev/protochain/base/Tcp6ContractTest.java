package dev.protochain.base;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.BaseProvider;
import dev.protochain.testkit.BaseProviderContract;
import dev.protochain.testkit.Transport;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** The base contract over the built-in entry {@code tcp6}. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Tcp6ContractTest extends BaseProviderContract {

  @Override
  protected Class<? extends BaseProvider> providerClass() {
    return TcpProvider.class;
  }

  @Override
  protected CatalogEntry entry() {
    return Transport.TCP6.entry();
  }
}
