package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Protocol;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.layers.trace.TraceLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CatalogTest {

  static final UUID LAYER = UUID.fromString("00000000-0000-0000-0000-00000000000a");

  static CatalogEntry layer(int id, String name) {
    return CatalogEntry.builder()
        .id(id)
        .name(name)
        .providerId(LAYER)
        .serves(AddressFamily.INET, SocketType.STREAM, Protocol.TCP)
        .chain(ProtocolChain.layer())
        .build();
  }

  static CatalogEntry chain(int id, String name, int... ids) {
    return CatalogEntry.builder()
        .id(id)
        .name(name)
        .providerId(LAYER)
        .serves(AddressFamily.INET, SocketType.STREAM, Protocol.TCP)
        .chain(ProtocolChain.of(ids))
        .build();
  }

  @Test
  void theBuiltinCatalogIsValidAndHoldsTheSixBases() {
    assertEquals(List.of(), Catalog.builtin().problems());
    assertEquals(
        List.of("tcp4", "tcp6", "udp4", "udp6", "mem-stream", "mem-dgram"),
        Catalog.builtin().entries().stream().map(CatalogEntry::name).toList());
  }

  @Test
  void theBuiltinBasesAreThoseTheBaseProvidersDescribe() throws Exception {
    List<CatalogEntry> described = new ArrayList<>();
    for (Class<?> base :
        List.of(
            dev.protochain.base.TcpProvider.class,
            dev.protochain.base.UdpProvider.class,
            dev.protochain.base.InMemoryProvider.class)) {
      described.addAll(ProviderDescriptor.of(base).entries());
    }
    assertEquals(described, Catalog.builtin().entries());
    assertEquals(
        dev.protochain.base.BaseProviders.TCP,
        Catalog.builtin().entry("tcp6").orElseThrow().providerId());
    assertEquals(
        List.of(),
        dev.protochain.runtime.internal.BuiltinBases.of(ProviderSource.of(List.of())).entries());
  }

  @Test
  void tcpStreamEntriesAreTheBasesAndChainsServingTcpInCatalogOrder() {
    Catalog builtin = Catalog.builtin();
    assertEquals(
        List.of("tcp4", "tcp6"),
        builtin.tcpStreamEntries().stream().map(CatalogEntry::name).toList());
    Catalog layered =
        builtin.with(layer(2001, "l")).withBefore(chain(2002, "l-tcp4", 2001, 1001), 1001);
    assertEquals(
        List.of("l-tcp4", "tcp4", "tcp6"),
        layered.tcpStreamEntries().stream().map(CatalogEntry::name).toList());
  }

  @Test
  void aBaseWhoseProviderIsNowhereNamesTheArtifactOfTheBuiltinBases() throws Exception {
    List<CatalogProblem> problems = Catalog.builtin().problems(ProviderSource.of(List.of()));

    assertEquals(6, problems.size());
    assertEquals(
        "entry 1001 'tcp4' (base) names provider e85577c8-77f9-4b92-99fb-3692a01855bd, which is not"
            + " in classes given in code; no base provider is there at all: the built-in bases come"
            + " from the artifact protochain-base-provider, which must be on the class path.",
        problems.get(0).message());
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

    CatalogInvalidException e =
        assertThrows(
            CatalogInvalidException.class, () -> Catalog.of(entries).checkValid("catalog.json"));

    assertEquals(
        String.join(
            "\n",
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
            "12 problems"),
        e.getMessage());
    assertEquals(12, e.problems().size());
    assertEquals(CatalogProblem.Kind.CYCLE, e.problems().get(3).kind());
    assertEquals(List.of(3001, 9999), e.problems().get(2).entryIds());
  }

  @Test
  void selectionTakesTheFirstMatchingEntryAndExplainsTheRest() {
    Catalog c = Catalog.builtin().installLayer("a", LAYER, Map.of(), List.of(1001));

    Selection s = c.explain(AddressFamily.INET, SocketType.STREAM, Protocol.TCP, false);

    assertEquals("a-tcp4", s.entry().orElseThrow().name());
    List<String> reasons =
        s.passedOver().stream().map(p -> p.entry().name() + ": " + p.reason()).toList();
    assertEquals(
        List.of(
            "tcp4: matches, but comes after entry 3001 'a-tcp4'",
            "tcp6: serves INET6/STREAM/TCP",
            "udp4: serves INET/DATAGRAM/UDP",
            "udp6: serves INET6/DATAGRAM/UDP",
            "mem-stream: serves MEMORY/STREAM/MEMORY",
            "mem-dgram: serves MEMORY/DATAGRAM/MEMORY",
            "a: a layer's own entry; applications never select it"),
        reasons);
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
    Catalog c =
        Catalog.builtin()
            .installLayer("b", LAYER, Map.of("k", "v"), List.of(1001, 1005))
            .installLayer("a", LAYER, Map.of(), List.of(3001));

    assertEquals(
        List.of(
            "a-b-tcp4",
            "b-tcp4",
            "tcp4",
            "tcp6",
            "udp4",
            "udp6",
            "b-mem-stream",
            "mem-stream",
            "mem-dgram",
            "b",
            "a"),
        c.entries().stream().map(CatalogEntry::name).toList());
    assertEquals(ProtocolChain.of(2002, 2001, 1001), c.entry("a-b-tcp4").orElseThrow().chain());
    assertEquals(Map.of("k", "v"), c.entry("b").orElseThrow().settings());
    assertEquals(List.of(), c.problems());
    assertEquals(
        List.of("a-b-tcp4", "b-tcp4", "b-mem-stream"),
        c.dependents(2001).stream().map(CatalogEntry::name).toList());
  }

  @Test
  void installingOverALayersOwnEntryIsRefused() {
    Catalog c = Catalog.builtin().installLayer("b", LAYER, Map.of(), List.of(1001));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> c.installLayer("a", LAYER, Map.of(), List.of(2001)));
    assertEquals(
        "installing layer 'a': entry 2001 'b' (layer) is a layer's own entry; install over a base or a chain",
        e.getMessage());
  }

  /* ---- installing a layer by its descriptor ---- */

  static ProviderDescriptor trace() throws Exception {
    return ProviderDescriptor.of(TraceLayer.class);
  }

  static ProviderDescriptor coalesce() throws Exception {
    return ProviderDescriptor.of(CoalesceLayer.class);
  }

  @Test
  void installingByDescriptorNamesTheLayerEntryAfterTheProviderAndKeepsItsSettings()
      throws Exception {
    Catalog c =
        Catalog.builtin().install(trace(), Map.of("level", "info"), List.of(1001, 1003)).catalog();

    assertEquals(
        List.of(
            "trace-tcp4",
            "tcp4",
            "tcp6",
            "trace-udp4",
            "udp4",
            "udp6",
            "mem-stream",
            "mem-dgram",
            "trace"),
        c.entries().stream().map(CatalogEntry::name).toList());
    CatalogEntry layer = c.entry("trace").orElseThrow();
    assertEquals(trace().id(), layer.providerId());
    assertEquals(Map.of("level", "info"), layer.settings());
    assertEquals(ProtocolChain.of(2001, 1003), c.entry("trace-udp4").orElseThrow().chain());
  }

  @Test
  void installingByDescriptorReportsEveryRefusalAtOnce() throws Exception {
    Catalog deep = Catalog.builtin();
    int top = 1001;
    for (int i = 0; i < 6; i++) {
      deep = deep.installLayer("l" + i, LAYER, Map.of(), List.of(top));
      top = deep.entries().get(0).id();
    }
    Catalog catalog = deep;
    assertEquals(7, catalog.entry(top).orElseThrow().chain().length());
    List<Integer> targets = List.of(1003, top, 2001, 42, 1005);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                catalog.install(coalesce(), Map.of("level", "x", "delay", "0"), targets).catalog());

    assertEquals(
        "installing layer 'coalesce': entry 2007 'coalesce' (layer) sets 'level', which provider 'coalesce' does not"
            + " accept (accepted: threshold, delay, flush-on-receive); 1003 'udp4': layer 'coalesce' requires"
            + " GUARANTEED_ORDER below it, and its base 1003 'udp4'"
            + " provides CONNECTIONLESS, MESSAGE_ORIENTED, SUPPORT_BROADCAST; 3006 'l5-l4-l3-l2-l1-l0-tcp4': a chain of 7"
            + " entries; 'coalesce' over it would make 8 (expected: at most 7); 2001 'l0': a layer's own entry; install"
            + " over a base or a chain; no entry 42 to install it over",
        e.getMessage());
  }

  @Test
  void aBaseProviderCannotBeInstalledAsALayer() throws Exception {
    ProviderDescriptor tcp = ProviderDescriptor.of(dev.protochain.base.TcpProvider.class);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Catalog.builtin().install(tcp, Map.of(), List.of(1001)).catalog());
    assertEquals(
        "installing layer 'tcp': entry 2001 'tcp' (layer) names provider 'tcp' 1.0.0 (base, 2.0-2.2)"
            + " (expected: a layer provider)",
        e.getMessage());
  }

  @Test
  void installRefusalIsEmptyWhereTheLayerFits() throws Exception {
    Catalog c = Catalog.builtin();
    assertEquals(
        java.util.Optional.empty(), c.installRefusal(coalesce(), c.entry(1005).orElseThrow()));
    assertEquals(
        java.util.Optional.empty(), c.installRefusal(trace(), c.entry(1006).orElseThrow()));
  }

  /* ---- removing ---- */

  @Test
  void removingAnEntryNamedByChainsIsRefusedAndListsThem() throws Exception {
    Catalog c = Catalog.builtin().install(trace(), Map.of(), List.of(1001, 1002)).catalog();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> c.remove(2001, false));
    assertEquals(
        "removing 2001 'trace': chains 3001 'trace-tcp4', 3002 'trace-tcp6' depend on it (remove them first,"
            + " or cascade)",
        e.getMessage());
    IllegalArgumentException one =
        assertThrows(IllegalArgumentException.class, () -> c.remove(1002, false));
    assertEquals(
        "removing 1002 'tcp6': chain 3002 'trace-tcp6' depends on it (remove it first, or cascade)",
        one.getMessage());
  }

  @Test
  void removingWithCascadeTakesTheChainsToo() throws Exception {
    Catalog c = Catalog.builtin().install(trace(), Map.of(), List.of(1001, 1002)).catalog();
    assertEquals(Catalog.builtin(), c.remove(2001, true));
    Catalog withoutTcp6 = c.remove(1002, true);
    assertEquals(
        List.of("trace-tcp4", "tcp4", "udp4", "udp6", "mem-stream", "mem-dgram", "trace"),
        withoutTcp6.entries().stream().map(CatalogEntry::name).toList());
    assertEquals(List.of(), withoutTcp6.problems());
  }

  @Test
  void removingAChainLeavesItsLayer() throws Exception {
    Catalog c =
        Catalog.builtin().install(trace(), Map.of(), List.of(1001)).catalog().remove(3001, false);
    assertEquals(
        List.of("tcp4", "tcp6", "udp4", "udp6", "mem-stream", "mem-dgram", "trace"),
        c.entries().stream().map(CatalogEntry::name).toList());
  }

  @Test
  void removingAMissingEntryIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Catalog.builtin().remove(7, true));
    assertEquals("removing entry 7: there is no such entry", e.getMessage());
  }

  /* ---- ordering ---- */

  @Test
  void orderingRewritesTheSelectableEntriesAndKeepsLayersLast() throws Exception {
    Catalog c = Catalog.builtin().install(trace(), Map.of(), List.of(1001)).catalog();

    Catalog ordered = c.order(List.of(1001, 3001, 1006, 1005, 1004, 1003, 1002));

    assertEquals(
        List.of(1001, 3001, 1006, 1005, 1004, 1003, 1002, 2001),
        ordered.entries().stream().map(CatalogEntry::id).toList());
    assertEquals(
        "tcp4",
        ordered
            .select(AddressFamily.INET, SocketType.STREAM, Protocol.TCP, false)
            .orElseThrow()
            .name());
  }

  @Test
  void orderingReportsEveryProblemAtOnce() throws Exception {
    Catalog c = Catalog.builtin().install(trace(), Map.of(), List.of(1001)).catalog();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> c.order(List.of(3001, 2001, 1001, 42, 1001, 1002)));
    assertEquals(
        "ordering the catalog: 2001 'trace' is a layer's own entry (name base and chain entries only);"
            + " there is no entry 42; 1001 'tcp4' is named twice; 1003 'udp4', 1004 'udp6', 1005 'mem-stream',"
            + " 1006 'mem-dgram' are left out (name every base and chain entry)",
        e.getMessage());
  }

  /* ---- validation against the providers ---- */

  @Test
  void validationAgainstTheProvidersReportsUnknownProvidersKindsSettingsAndServices()
      throws Exception {
    ProviderSource classpath = ProviderSource.classpath(CatalogTest.class.getClassLoader());
    UUID unknown = UUID.fromString("00000000-0000-0000-0000-0000000000ff");
    Catalog c =
        Catalog.builtin()
            .install(coalesce(), Map.of(), List.of(1001))
            .catalog()
            .installLayer("ghost", unknown, Map.of(), List.of(1002))
            .installLayer(
                "wrong-kind", dev.protochain.base.BaseProviders.TCP, Map.of(), List.of(1005));
    List<CatalogEntry> entries = new ArrayList<>(c.entries());
    CatalogEntry coalesceLayer = c.entry("coalesce").orElseThrow();
    entries.set(
        entries.indexOf(coalesceLayer), coalesceLayer.toBuilder().setting("speed", "fast").build());
    entries.add(
        CatalogEntry.builder()
            .id(3100)
            .name("coalesce-udp4")
            .providerId(coalesce().id())
            .serves(AddressFamily.INET, SocketType.DATAGRAM, Protocol.UDP)
            .chain(ProtocolChain.of(2001, 1003))
            .build());
    Catalog checked = Catalog.of(entries);

    assertEquals(List.of(), checked.problems());
    List<String> problems =
        checked.problems(classpath).stream().map(CatalogProblem::message).toList();

    assertEquals(
        List.of(
            "entry 2001 'coalesce' (layer) sets 'speed', which provider 'coalesce' does not accept (accepted: threshold,"
                + " delay, flush-on-receive).",
            "entry 2002 'ghost' (layer) names provider 00000000-0000-0000-0000-0000000000ff, which is not in class path.",
            "entry 2003 'wrong-kind' (layer) names provider 'tcp' 1.0.0 (base, 2.0-2.2) (expected: a layer provider).",
            "entry 3100 'coalesce-udp4' (chain [2001, 1003]): layer 'coalesce' requires GUARANTEED_ORDER below it, and"
                + " its base 1003 'udp4' provides CONNECTIONLESS, MESSAGE_ORIENTED, SUPPORT_BROADCAST."),
        problems);
    assertEquals(
        List.of(),
        Catalog.builtin().install(trace(), Map.of(), List.of(1001)).catalog().problems(classpath));
  }
}
