package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DemoCommandTest {

  @Test
  @Timeout(60)
  void theDemoEchoesVerifiesAndUnloadsTopDown() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code =
        Main.run(
            new String[] {"demo", "--bytes", "300000"},
            new PrintWriter(out, true),
            new PrintWriter(err, true));

    String text = out.toString();
    assertEquals(0, code, text + err);
    assertEquals("", err.toString());
    assertEchoedAndUnloadedTopDown(text, 300000);
  }

  /**
   * Asserts what the demo printed: the chain, the counts at each startup, the echo of {@code bytes}
   * verified, and the last cleanup's unloads top first, down to counts of zero.
   */
  static void assertEchoedAndUnloadedTopDown(String text, int bytes) {
    List<String> lines = Arrays.asList(text.split("\n"));
    assertTrue(lines.get(0).endsWith("over the chain [trace, coalesce, tcp4]"), lines.get(0));
    assertTrue(
        text.contains("3002  trace-coalesce-tcp4  chain  trace > coalesce > tcp4  inet/stream/tcp"),
        text);
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith("startup  server session")
                        && l.endsWith("counts: trace=1 coalesce=1 tcp4=1")),
        text);
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith("startup  client session")
                        && l.endsWith("counts: trace=2 coalesce=2 tcp4=2")),
        text);
    assertTrue(
        lines.stream()
            .anyMatch(
                l ->
                    l.startsWith(
                            "echo     "
                                + bytes
                                + " bytes sent, "
                                + bytes
                                + " echoed by the server, "
                                + bytes
                                + " received; sha-256 ")
                        && l.endsWith(" verified")),
        text);
    int cascade =
        lines.indexOf(
            "cleanup  server session: the last cleanup cascades down the chain, top first:");
    assertTrue(cascade > 0, text);
    assertEquals(
        List.of(
            "  unload   trace (entry 2002)",
            "  unload   coalesce (entry 2001)",
            "  unload   tcp4 (entry 1001)"),
        lines.subList(cascade + 1, cascade + 4));
    assertTrue(lines.get(cascade + 4).endsWith("counts: trace=0 coalesce=0 tcp4=0"), text);
  }

  @Test
  void aNegativeByteCountIsAUsageError() {
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new String[] {"demo", "--bytes", "-1"},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true));
    assertEquals(2, code);
    assertEquals(
        "protochain demo: Invalid value for option '--bytes': '-1' is not a byte count (expected: 0 to 67108864) (see 'protochain demo --help')\n",
        err.toString());
  }
}
