package example;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.LayerContract;
import org.junit.jupiter.api.Timeout;

/** The README's GreetLayer, as written, passes the layer contract. */
@Timeout(300)
class GreetLayerContractTest extends LayerContract {
  @Override protected Class<? extends LayeredProvider> layerClass() { return GreetLayer.class; }
}
