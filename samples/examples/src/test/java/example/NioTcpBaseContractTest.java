package example;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.BaseProvider;
import dev.protochain.testkit.BaseProviderContract;
import org.junit.jupiter.api.Timeout;

@Timeout(300)
class NioTcpBaseContractTest extends BaseProviderContract {
  @Override protected Class<? extends BaseProvider> providerClass() {
    return NioTcpBase.class;
  }

  @Override protected CatalogEntry entry() {              // the entry its descriptor declares
    return descriptor().entries().get(0);
  }
}
