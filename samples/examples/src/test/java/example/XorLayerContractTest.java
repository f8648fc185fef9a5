package example;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.LayerContract;
import org.junit.jupiter.api.Timeout;

/** The README's XorLayer, as written, passes the layer contract. */
@Timeout(300)
class XorLayerContractTest extends LayerContract {
  @Override protected Class<? extends LayeredProvider> layerClass() {
    return XorLayer.class;
  }
}
