package dev.protochain.layers.tls;

import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.runtime.testing.OpenSsl;
import dev.protochain.testkit.BadSettings;
import dev.protochain.testkit.LayerContract;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer contract for {@code tls}, over tcp4 and mem-stream (it requires ordered delivery), with
 * a throwaway CA made by {@code openssl} for the class: both entries of the layer, the one under
 * test and its {@code -peer}, hold the same settings, so each connects trusting the CA and accepts
 * with the CA's certificate for localhost, 127.0.0.1 and ::1 (the kit's sockets listen on
 * 127.0.0.1, over the in-memory loopback too, so hostname verification stays on).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsLayerContractTest extends LayerContract {

  @TempDir static Path dir;
  Map<String, String> settings;

  @BeforeAll
  void makePki() throws Exception {
    OpenSsl openssl = OpenSsl.in(dir);
    OpenSsl.Issued ca = openssl.ca("ca");
    OpenSsl.Issued server = openssl.leaf("server", ca, "ec");
    settings =
        Map.of(
            "trust",
            ca.cert().toString(),
            "key",
            server.key().toString(),
            "cert",
            dir.resolve("server-chain.pem").toString());
  }

  @Override
  protected Class<? extends LayeredProvider> layerClass() {
    return TlsLayer.class;
  }

  @Override
  protected Map<String, String> settings() {
    return settings;
  }

  @Override
  protected List<BadSettings> badSettings() {
    String of = " of entry 2001 'tls' (layer)";
    String enabled;
    try {
      enabled = String.join(", ", SSLContext.getDefault().getDefaultSSLParameters().getProtocols());
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    return List.of(
        BadSettings.of(
            Map.of("protocols", "TLSv1"),
            "setting 'protocols'"
                + of
                + " = 'TLSv1' names protocols this JDK supports but has disabled"
                + " (jdk.tls.disabledAlgorithms): TLSv1 (enabled: "
                + enabled
                + ")"),
        BadSettings.of(
            Map.of("keystore", "server.p12"),
            "settings 'key' and 'cert'"
                + of
                + " cannot be combined with 'keystore' (expected: key and cert, or keystore)"),
        BadSettings.of(
            Map.of("trust", "missing.pem"), "setting 'trust'" + of + ": missing.pem: no such file"),
        BadSettings.of(
            Map.of("hostname-verification", "maybe"),
            "setting 'hostname-verification'" + of + " = 'maybe' is not true or false"),
        BadSettings.of(
            Map.of("handshake-timeout", "-1s"),
            "setting 'handshake-timeout'" + of + " = '-1s' is negative (expected: 0 or more)"),
        BadSettings.of(
            Map.of("handshake-timeout", "soon"),
            "setting 'handshake-timeout'"
                + of
                + " = 'soon' is not a duration (expected: a whole number and a unit: 250ms, 30s, 2m or 1h; or 0)"));
  }
}
