package dev.protochain.layers.deflate;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The layer contract for {@code deflate} with its defaults, over tcp4, udp4 and the in-memory
 * loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeflateLayerContractTest extends LayerContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return DeflateLayer.class;
  }

  @Override
  protected List<BadSettings> badSettings() {
    return List.of(
        BadSettings.of(
            Map.of("level", "10"),
            "setting 'level' of entry 2001 'deflate' (layer) = 10 is out of range (expected: 0 to 9)"),
        BadSettings.of(
            Map.of("max-frame", "100"),
            "setting 'max-frame' of entry 2001 'deflate' (layer) = 100 is out of range (expected: 256 to 8388608)"),
        BadSettings.of(
            Map.of("delay", "-5ms"),
            "setting 'delay' of entry 2001 'deflate' (layer) = '-5ms' is negative (expected: 0 or more)"));
  }
}
