package dev.protochain.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EchoOverCustomChainTest {

  @Test
  @Timeout(60)
  void theEchoComesBackVerifiedAndTheApplicationsLayerCountedBothWays() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = EchoOverCustomChain.run(100_000, new PrintStream(buf, true, StandardCharsets.UTF_8));
    List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(0, code, lines.toString());
    assertEquals("  load trace", lines.get(0));
    assertEquals("  load counting", lines.get(1));
    assertEquals("  load tcp4", lines.get(2));
    assertEquals(
        true,
        lines.get(3).startsWith("echoed 100000 bytes over trace-counting-tcp4: verified (sha-256 "),
        lines.get(3));
    assertEquals(
        "the counting layer saw 200000 bytes sent and 200000 received (both directions of both ends)",
        lines.get(4));
    assertEquals(
        List.of("  unload trace", "  unload counting", "  unload tcp4"), lines.subList(5, 8));
  }
}
