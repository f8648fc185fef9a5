package dev.protochain.layers.websocket;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The layer contract for {@code websocket} with its defaults, over tcp4 and mem-stream (it requires
 * ordered delivery): the client end connects, the peer's entry accepts as the server end.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebSocketLayerContractTest extends LayerContract {

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return WebSocketLayer.class;
  }

  @Override
  protected List<BadSettings> badSettings() {
    String of = " of entry 2001 'websocket' (layer)";
    return List.of(
        BadSettings.of(
            Map.of("path", "tunnel"),
            "setting 'path'"
                + of
                + " = 'tunnel' is not a request target (expected: '/' then visible ASCII, such as"
                + " /tunnel)"),
        BadSettings.of(
            Map.of("max-message", "0"),
            "setting 'max-message'" + of + " = 0 is out of range (expected: 1 to 16777216)"),
        BadSettings.of(
            Map.of("headers", "Authorization Bearer x"),
            "setting 'headers'"
                + of
                + ": header 1 is not 'Name: value' with a name of letters, digits and"
                + " !#$%&'*+-.^_`|~ (expected: 'Name: value' entries separated by '|')"),
        BadSettings.of(
            Map.of("headers", "Origin: a|Sec-WebSocket-Key: x"),
            "setting 'headers'"
                + of
                + ": header 2 sets Sec-WebSocket-Key, which the handshake writes itself"
                + " (expected: 'Name: value' entries separated by '|')"),
        BadSettings.of(
            Map.of("handshake-timeout", "-1s"),
            "setting 'handshake-timeout'" + of + " = '-1s' is negative (expected: 0 or more)"));
  }
}
