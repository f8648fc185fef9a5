package dev.protochain.layers.metrics;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The layer contract for {@code metrics} with a registry the application registers with each
 * runtime, over tcp4, udp4 and the in-memory loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsLayerContractTest extends LayerContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return MetricsLayer.class;
  }

  @Override
  protected Map<String, String> settings() {
    return Map.of("histogram", "true");
  }

  @Override
  protected void configure(ChainRuntime.Builder builder) {
    builder.service(MeterRegistry.class, new SimpleMeterRegistry());
  }

  @Override
  protected List<BadSettings> badSettings() {
    return List.of(
        BadSettings.of(
            Map.of("prefix", "Net Stats"),
            "setting 'prefix' of entry 2001 'metrics' (layer) = 'Net Stats'"
                + " (expected: 1 to 64 lower-case letters, digits, '.' or '_', starting with a letter)"),
        BadSettings.of(
            Map.of("histogram", "maybe"),
            "setting 'histogram' of entry 2001 'metrics' (layer) = 'maybe' is not true or false"));
  }
}
