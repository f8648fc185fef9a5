package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Protocol;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.SocketType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CatalogTest {

  static final UUID LAYER = UUID.fromString("00000000-0000-0000-0000-00000000000a");

  static CatalogEntry layer(int id, String name) {
    return CatalogEntry.builder().id(id).name(name).providerId(LAYER)
        .serves(AddressFamily.INET, SocketType.STREAM, Protocol.TCP).chain(ProtocolChain.layer()).build();
  }

  static CatalogEntry chain(int id, String name, int... ids) {
    return CatalogEntry.builder().id(id).name(name).providerId(LAYER)
        .serves(AddressFamily.INET, SocketType.STREAM, Protocol.TCP).chain(ProtocolChain.of(ids)).build();
  }

  @Test
  void theBuiltinCatalogIsValidAndHoldsTheSixBases() {
    assertEquals(List.of(), Catalog.builtin().problems());
    assertEquals(List.of("tcp4", "tcp6", "udp4", "udp6", "mem-stream", "mem-dgram"),
        Catalog.builtin().entries().stream().map(CatalogEntry::name).toList());
  }

  @Test
  void validationReportsEveryProblemAtOnceNamingTheEntries() {
    List<CatalogEntry> entries = new ArrayList<>(Catalog.builtin().entries());
    entries.add(layer(2001, "a"));
    entries.add(layer(2002, "b"));
    entries.add(chain(3001, "missing", 2001, 9999, 1001));
    entries.add(chain(3002, "self", 3002, 1001));
    entries.add(chain(3003, "too-long", 2001, 2002, 2003, 2004, 2005, 2006, 2007, 1001));
    entries.add(chain(3004, "no-base", 2001, 2002));
    entries.add(chain(3005, "udp-base", 2001, 1003));
    entries.add(chain(3006, "chain-in-chain", 2001, 3005));
    entries.add(layer(2001, "a-again"));
    entries.add(layer(2003, "a"));

    CatalogInvalidException e = assertThrows(CatalogInvalidException.class,
        () -> Catalog.of(entries).checkValid("catalog.json"));

    assertEquals(String.join("\n",
        "catalog invalid (catalog.json):",
        "",
        "1) entries 'a' and 'a-again' share id 2001.",
        "2) entries 2001 and 2003 share the name 'a'.",
        "3) entry 3001 'missing' (chain [2001, 9999, 1001]) names entry 9999, which does not exist.",
        "4) entry 3002 'self' (chain [3002, 1001]) names itself.",
        "5) entry 3003 'too-long' (chain [2001, 2002, 2003, 2004, 2005, 2006, 2007, 1001]) is 8 entries long"
            + " (expected: at most 7).",
        "6) entry 3003 'too-long' (chain [2001, 2002, 2003, 2004, 2005, 2006, 2007, 1001]) names entry 2004,"
            + " which does not exist.",
        "7) entry 3003 'too-long' (chain [2001, 2002, 2003, 2004, 2005, 2006, 2007, 1001]) names entry 2005,"
            + " which does not exist.",
        "8) entry 3003 'too-long' (chain [2001, 2002, 2003, 2004, 2005, 2006, 2007, 1001]) names entry 2006,"
            + " which does not exist.",
        "9) entry 3003 'too-long' (chain [2001, 2002, 2003, 2004, 2005, 2006, 2007, 1001]) names entry 2007,"
            + " which does not exist.",
        "10) entry 3004 'no-base' (chain [2001, 2002]) ends in entry 2002 'b' (layer) (expected: a base entry).",
        "11) entry 3005 'udp-base' (chain [2001, 1003]) serves INET/STREAM/TCP but its base entry 1003 'udp4' (base)"
            + " serves INET/DATAGRAM/UDP.",
        "12) entry 3006 'chain-in-chain' (chain [2001, 3005]) names the chain entry 3005 'udp-base'"
            + " (chain [2001, 1003]); a chain may name only layers and a base.",
        "",
        "12 problems"), e.getMessage());
    assertEquals(12, e.problems().size());
    assertEquals(CatalogProblem.Kind.CYCLE, e.problems().get(3).kind());
    assertEquals(List.of(3001, 9999), e.problems().get(2).entryIds());
  }

  @Test
  void selectionTakesTheFirstMatchingEntryAndExplainsTheRest() {
    Catalog c = Catalog.builtin().installLayer("a", LAYER, Map.of(), List.of(1001));

    Selection s = c.explain(AddressFamily.INET, SocketType.STREAM, Protocol.TCP, false);

    assertEquals("a-tcp4", s.entry().orElseThrow().name());
    List<String> reasons = s.passedOver().stream().map(p -> p.entry().name() + ": " + p.reason()).toList();
    assertEquals(List.of(
        "tcp4: matches, but comes after entry 3001 'a-tcp4'",
        "tcp6: serves INET6/STREAM/TCP",
        "udp4: serves INET/DATAGRAM/UDP",
        "udp6: serves INET6/DATAGRAM/UDP",
        "mem-stream: serves MEMORY/STREAM/MEMORY",
        "mem-dgram: serves MEMORY/DATAGRAM/MEMORY",
        "a: a layer's own entry; applications never select it"), reasons);
  }

  @Test
  void safeModeSelectsBaseEntriesOnly() {
    Catalog c = Catalog.builtin().installLayer("a", LAYER, Map.of(), List.of(1001));
    Selection s = c.explain(AddressFamily.INET, SocketType.STREAM, Protocol.TCP, true);
    assertEquals("tcp4", s.entry().orElseThrow().name());
    assertEquals("a chain; safe mode selects base entries only", s.passedOver().get(0).reason());
  }

  @Test
  void installingALayerOverAChainPrependsItAndPlacesTheNewChainFirst() {
    Catalog c = Catalog.builtin().installLayer("b", LAYER, Map.of("k", "v"), List.of(1001, 1005))
        .installLayer("a", LAYER, Map.of(), List.of(3001));

    assertEquals(List.of("a-b-tcp4", "b-tcp4", "tcp4", "tcp6", "udp4", "udp6", "b-mem-stream", "mem-stream",
        "mem-dgram", "b", "a"), c.entries().stream().map(CatalogEntry::name).toList());
    assertEquals(ProtocolChain.of(2002, 2001, 1001), c.entry("a-b-tcp4").orElseThrow().chain());
    assertEquals(Map.of("k", "v"), c.entry("b").orElseThrow().settings());
    assertEquals(List.of(), c.problems());
    assertEquals(List.of("a-b-tcp4", "b-tcp4", "b-mem-stream"),
        c.dependents(2001).stream().map(CatalogEntry::name).toList());
  }

  @Test
  void installingOverALayersOwnEntryIsRefused() {
    Catalog c = Catalog.builtin().installLayer("b", LAYER, Map.of(), List.of(1001));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> c.installLayer("a", LAYER, Map.of(), List.of(2001)));
    assertEquals("installing layer 'a': entry 2001 'b' (layer) is a layer's own entry; install over a base or a chain",
        e.getMessage());
  }
}
