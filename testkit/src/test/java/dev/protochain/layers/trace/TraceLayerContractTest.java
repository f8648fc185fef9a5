package dev.protochain.layers.trace;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** The layer contract for {@code trace}, over tcp4, udp4 and the in-memory loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TraceLayerContractTest extends LayerContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return TraceLayer.class;
  }

  @Override
  protected List<BadSettings> badSettings() {
    return List.of(
        BadSettings.of(
            Map.of("level", "loud"),
            "setting 'level' of entry 2001 'trace' (layer) = 'loud' (expected: trace, debug or info)"));
  }
}
