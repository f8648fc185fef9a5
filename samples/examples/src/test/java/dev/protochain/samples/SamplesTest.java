package dev.protochain.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each sample that samples/run starts, run as it runs there, its output checked line by line. */
@Timeout(120)
class SamplesTest {

  interface Sample {
    int run(PrintStream out) throws Exception;
  }

  static List<String> run(Sample sample) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = sample.run(new PrintStream(buf, true, StandardCharsets.UTF_8));
    List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(0, code, String.join("\n", lines));
    return lines;
  }

  @Test
  void thePluginSampleInstallsRunsAndUnloadsTheSamplePlugin() throws Exception {
    List<String> lines =
        run(out -> PluginSample.run(Path.of("target", "plugins", "proxy-protocol.jar"), out));
    assertTrue(
        lines
            .get(0)
            .matches(
                "installed plugin 'proxy-protocol' 1\\.0\\.0 \\(5c588703-53c3-4d57-9355-4c8f4eae5db7\\)"
                    + " from proxy-protocol\\.jar, sha-256 [0-9a-f]{16}…, as chain entry 3001 'proxy-protocol-tcp4' \\(chain \\[2001, 1001\\]\\)"),
        lines.get(0));
    assertEquals("the server read: hello through a plugin", lines.get(1));
    assertTrue(
        lines
            .get(2)
            .matches(
                "the server sees the client as /127\\.0\\.0\\.1:\\d+ \\(from the PROXY header\\)"),
        lines.get(2));
    assertTrue(
        lines.get(3).startsWith("unload verified: 1 plugin class loader collected after "),
        lines.get(3));
  }

  @Test
  void theHttpsSampleFetchesThroughMetricsAndTls() throws Exception {
    List<String> lines = run(HttpsOverChain::run);
    assertTrue(
        lines
            .get(0)
            .matches(
                "HTTP 200 from https://localhost:\\d+: hello over TLS, GET /hello\\?from=okhttp"),
        lines.get(0));
    assertTrue(
        lines
            .get(1)
            .matches(
                "the metrics layer counted \\d+ bytes sent and \\d+ received, in plain text above tls"),
        lines.get(1));
  }

  @Test
  void theSocksSampleEchoesThroughMicrosocks() throws Exception {
    List<String> lines = run(SocksClient::run);
    assertTrue(
        lines
            .get(0)
            .matches("echoed through microsocks on 127\\.0\\.0\\.1:\\d+: hello through socks5"),
        lines.get(0));
  }
}
