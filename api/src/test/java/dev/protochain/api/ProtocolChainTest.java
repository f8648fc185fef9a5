package dev.protochain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProtocolChainTest {

  @Test
  void theLengthTellsWhatAnEntryIs() {
    assertEquals(EntryKind.LAYER, ProtocolChain.layer().kind());
    assertEquals(EntryKind.BASE, ProtocolChain.base(1001).kind());
    assertEquals(EntryKind.CHAIN, ProtocolChain.of(2001, 1001).kind());
    assertFalse(EntryKind.LAYER.isSelectable());
    assertTrue(EntryKind.CHAIN.isSelectable());
  }

  @Test
  void aChainIsImmutableAndComparesByItsIds() {
    int[] ids = {3, 2, 1};
    ProtocolChain chain = ProtocolChain.of(ids);
    ids[0] = 99;
    assertEquals(List.of(3, 2, 1), chain.ids());
    assertEquals(ProtocolChain.of(List.of(3, 2, 1)), chain);
    assertEquals(1, chain.baseId());
    assertTrue(chain.contains(2));
    assertEquals("[3, 2, 1]", chain.toString());
    assertThrows(IllegalStateException.class, () -> ProtocolChain.layer().baseId());
  }

  @Test
  void anEntryCopiesItsFlagsAndSettingsAndNamesItself() {
    CatalogEntry e =
        CatalogEntry.builder()
            .id(3001)
            .name("x")
            .providerId(new UUID(0, 1))
            .serves(AddressFamily.INET, SocketType.STREAM, Protocol.TCP)
            .chain(ProtocolChain.of(2001, 1001))
            .setting("b", "2")
            .setting("a", "1")
            .build();
    assertEquals(List.of("a", "b"), List.copyOf(e.settings().keySet()));
    assertThrows(UnsupportedOperationException.class, () -> e.settings().put("c", "3"));
    assertEquals("entry 3001 'x' (chain [2001, 1001])", e.toString());
    assertEquals(e, e.toBuilder().build());
    assertTrue(e.serves(AddressFamily.INET, SocketType.STREAM, Protocol.TCP));
  }

  @Test
  void familiesTypesAndProtocolsParseIgnoringCase() {
    assertEquals(AddressFamily.INET6, AddressFamily.parse("IPv6"));
    assertEquals(SocketType.DATAGRAM, SocketType.parse("dgram"));
    assertEquals(Protocol.UDP, Protocol.parse("udp"));
    assertEquals(
        "unknown address family 'x25' (expected: inet, inet6 or memory)",
        assertThrows(IllegalArgumentException.class, () -> AddressFamily.parse("x25"))
            .getMessage());
  }
}
