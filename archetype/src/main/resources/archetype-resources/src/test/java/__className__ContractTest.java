package ${package};

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.LayerContract;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every stock layer passes, over tcp4, udp4 and the in-memory bases: counts, unloads,
 * data integrity, graceful close, concurrency and bad input. See LayerContract for what a layer
 * that needs settings or a peer service overrides.
 */
@Timeout(300)
class ${className}ContractTest extends LayerContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return ${className}.class;
  }
}
