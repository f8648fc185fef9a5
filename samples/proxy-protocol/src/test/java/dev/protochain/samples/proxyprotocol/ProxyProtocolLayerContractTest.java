package dev.protochain.samples.proxyprotocol;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The layer contract for the sample plugin's {@code proxy-protocol} layer with its defaults (both
 * ends speak the header), over tcp4, udp4 and the in-memory loopback; datagrams pass through it
 * unchanged. The kit makes the layer with {@code new}, as the runtime does from the plugin jar.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProxyProtocolLayerContractTest extends LayerContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return ProxyProtocolLayer.class;
  }

  @Override
  protected List<BadSettings> badSettings() {
    String of = " of entry 2001 'proxy-protocol' (layer)";
    return List.of(
        BadSettings.of(
            Map.of("send", "maybe"), "setting 'send'" + of + " = 'maybe' is not true or false"),
        BadSettings.of(
            Map.of("expect", "sometimes"),
            "setting 'expect'" + of + " = 'sometimes' is not true or false"));
  }
}
