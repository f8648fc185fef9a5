package dev.protochain.layers.ratelimit;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The layer contract for {@code ratelimit} with limits shared by every socket (scope=provider),
 * high enough (1 GiB and a million operations per second) that the kit's exchanges take every
 * permit path without crawling. The bad settings are those of {@link RateLimitLayerContractTest};
 * only the scope differs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedRateLimitLayerContractTest extends RateLimitLayerContractTest {

  @Override
  protected Map<String, String> settings() {
    return Map.of(
        "bytes-per-second", "1073741824", "operations-per-second", "1000000", "scope", "provider");
  }
}
