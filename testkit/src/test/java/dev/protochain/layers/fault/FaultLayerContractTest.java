package dev.protochain.layers.fault;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The layer contract for {@code fault} with every probability at its default, 0: lossy by nature,
 * it must be a faithful pass-through until told otherwise. Its faults are tested, exactly, in
 * {@link FaultLayerTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FaultLayerContractTest extends LayerContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return FaultLayer.class;
  }

  @Override
  protected Map<String, String> settings() {
    return Map.of("seed", "42");
  }

  @Override
  protected List<BadSettings> badSettings() {
    return List.of(
        BadSettings.of(
            Map.of("drop-probability", "1.5"),
            "setting 'drop-probability' of entry 2001 'fault' (layer)"
                + " = '1.5' is not a probability (expected: 0 to 1)"),
        BadSettings.of(
            Map.of("reset-probability", "often"),
            "setting 'reset-probability' of entry 2001 'fault'"
                + " (layer) = 'often' is not a probability (expected: 0 to 1)"),
        BadSettings.of(
            Map.of("seed", "x"),
            "setting 'seed' of entry 2001 'fault' (layer) = 'x' is not a whole number"),
        BadSettings.of(
            Map.of("delay", "-1s"),
            "setting 'delay' of entry 2001 'fault' (layer) = '-1s' is negative (expected: 0 or more)"));
  }
}
