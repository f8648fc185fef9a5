package dev.protochain.base;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.BaseProvider;
import dev.protochain.testkit.BaseProviderContract;
import dev.protochain.testkit.Transport;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** The base contract over the built-in entry {@code udp4}. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Udp4ContractTest extends BaseProviderContract {

  @Override
  protected Class<? extends BaseProvider> providerClass() {
    return UdpProvider.class;
  }

  @Override
  protected CatalogEntry entry() {
    return Transport.UDP4.entry();
  }
}
