package dev.protochain.layers.coalesce;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The layer contract for {@code coalesce}, over tcp4 and mem-stream (it requires ordered delivery).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CoalesceLayerContractTest extends LayerContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return CoalesceLayer.class;
  }

  @Override
  protected List<BadSettings> badSettings() {
    return List.of(
        BadSettings.of(
            Map.of("threshold", "0"),
            "setting 'threshold' of entry 2001 'coalesce' (layer) = 0 is out of range (expected: 1 to 67108864)"),
        BadSettings.of(
            Map.of("delay", "soon"),
            "setting 'delay' of entry 2001 'coalesce' (layer) = 'soon'"
                + " is not a duration (expected: a whole number and a unit: 250ms, 30s, 2m or 1h; or 0)"));
  }
}
