package dev.protochain.layers.ratelimit;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The layer contract for {@code ratelimit} with its own limits per socket, high enough (1 GiB and a
 * million operations per second) that the kit's exchanges take every permit path without crawling.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RateLimitLayerContractTest extends LayerContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return RateLimitLayer.class;
  }

  @Override
  protected Map<String, String> settings() {
    return Map.of(
        "bytes-per-second", "1073741824", "operations-per-second", "1000000", "scope", "socket");
  }

  @Override
  protected List<BadSettings> badSettings() {
    return List.of(
        BadSettings.of(
            Map.of("scope", "thread"),
            "setting 'scope' of entry 2001 'ratelimit' (layer) = 'thread' (expected: socket or provider)"),
        BadSettings.of(
            Map.of("bytes-per-second", "-1"),
            "setting 'bytes-per-second' of entry 2001 'ratelimit'"
                + " (layer) = -1 is negative (expected: 0 for no limit, or more)"),
        BadSettings.of(
            Map.of("operations-per-second", "many"),
            "setting 'operations-per-second' of entry 2001 'ratelimit' (layer) = 'many' is not a whole number"));
  }
}
