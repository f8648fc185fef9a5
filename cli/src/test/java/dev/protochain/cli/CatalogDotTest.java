package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtocolChain;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.PluginRecord;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The dot text of what the fixed catalog of {@link CatalogCommandsTest} does not have. */
class CatalogDotTest {

  static final UUID PLUGIN = UUID.fromString("6f1c1b2e-8d0c-4d53-9a55-3c1f3a7a9e01");

  @Test
  void aPluginLayerIsDashedAndNamesItsPluginAndVersion() {
    Catalog c =
        Catalog.builtin()
            .installLayer("proxy-protocol", PLUGIN, Map.of(), List.of(1001))
            .withPlugin(
                new PluginRecord(PLUGIN, "proxy-protocol", "1.2.0", "a.jar", "ab".repeat(32)));
    String dot = CatalogDot.format(c, "t");
    assertTrue(
        dot.contains(
            "  e2001 [label=\"2001 proxy-protocol\\nplugin layer proxy-protocol 1.2.0\", tooltip=\"provider "
                + PLUGIN
                + ", version 2\", fillcolor=\"#fce5cd\", style=\"rounded,filled,dashed\"];\n"),
        dot);
    assertTrue(
        dot.contains(
            "  e3001 -> e2001 [label=\"3001\", color=\"#1f77b4\", fontcolor=\"#1f77b4\"];\n"
                + "  e2001 -> e1001 [label=\"3001\", color=\"#1f77b4\", fontcolor=\"#1f77b4\"];\n"),
        dot);
  }

  @Test
  void anEntryAChainNamesButTheCatalogLacksIsDrawnMissing() {
    CatalogEntry tcp4 = Catalog.builtin().entry(1001).orElseThrow();
    CatalogEntry broken =
        tcp4.toBuilder()
            .id(3009)
            .name("broken")
            .chain(ProtocolChain.of(List.of(2009, 1001)))
            .build();
    String dot = CatalogDot.format(Catalog.of(List.of(broken, tcp4)), "t");
    assertTrue(
        dot.contains(
            "  e2009 [label=\"2009\\nmissing\", color=red, fontcolor=red, fillcolor=white];\n"
                + "  e3009 -> e2009 [label=\"3009\""),
        dot);
  }

  @Test
  void quotesEscapeQuotesBackslashesAndLineBreaks() {
    assertEquals("\"a \\\"b\\\" c\\\\d\\ne f\"", CatalogDot.quote("a \"b\" c\\d\ne\tf"));
  }
}
