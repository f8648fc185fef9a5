package dev.protochain.layers.filter;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The layer contract for {@code filter} allowing the loopback ranges and denying a private range
 * and the loopback's well-known ports, which the kit's ephemeral ports never use.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FilterLayerContractTest extends LayerContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return FilterLayer.class;
  }

  @Override
  protected Map<String, String> settings() {
    return Map.of("allow", "127.0.0.0/8, ::1/128", "deny", "10.0.0.0/8, 127.0.0.1:1-1023");
  }

  @Override
  protected List<BadSettings> badSettings() {
    String of = " of entry 2001 'filter' (layer): rule ";
    return List.of(
        BadSettings.of(
            Map.of("deny", "10.0.0.0/33"),
            "setting 'deny'" + of + "'10.0.0.0/33' has prefix 33 (expected: 0 to 32)"),
        BadSettings.of(
            Map.of("allow", "127.0.0.1, example.org"),
            "setting 'allow'"
                + of
                + "'example.org' names no IP"
                + " address literal (expected: e.g. 10.0.0.0/8, 2001:db8::/32, [::1]:443 or *:22)"),
        BadSettings.of(
            Map.of("deny", "127.0.0.1:70000"),
            "setting 'deny'" + of + "'127.0.0.1:70000' has port 70000 (expected: 0 to 65535)"),
        BadSettings.of(
            Map.of("deny", "*:90-80"),
            "setting 'deny'" + of + "'*:90-80' has ports 90-80 (expected: low to high)"),
        BadSettings.of(
            Map.of("deny", "[::1:80"),
            "setting 'deny'" + of + "'[::1:80' opens '[' without closing it"));
  }
}
