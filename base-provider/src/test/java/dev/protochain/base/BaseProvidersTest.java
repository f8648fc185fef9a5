package dev.protochain.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.spi.BaseProvider;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The descriptors, the ServiceLoader registration and the load checks of the three providers. */
@Timeout(10)
class BaseProvidersTest {

  @Test
  void descriptorsParseAsBaseProvidersWithTheirIds() throws ProtochainException {
    assertDescriptor(TcpProvider.class, "e85577c8-77f9-4b92-99fb-3692a01855bd", "tcp");
    assertDescriptor(UdpProvider.class, "22eb1599-dac5-4d67-bcd6-e13e268039ad", "udp");
    ProviderDescriptor memory =
        assertDescriptor(InMemoryProvider.class, "d2bc4dc3-028d-4d53-86cd-d1d3f4f94e65", "memory");
    assertEquals(Map.of("buffer-size", "65536"), memory.defaults());
  }

  private static ProviderDescriptor assertDescriptor(Class<?> type, String id, String name)
      throws ProtochainException {
    ProviderDescriptor d = ProviderDescriptor.of(type);
    assertEquals(EntryKind.BASE, d.kind(), type.getName());
    assertEquals(UUID.fromString(id), d.id(), type.getName());
    assertEquals(name, d.name(), type.getName());
    assertEquals(type.getName(), d.className());
    return d;
  }

  @Test
  void constantsMatchTheDescriptors() throws ProtochainException {
    assertEquals(ProviderDescriptor.of(TcpProvider.class).id(), BaseProviders.TCP);
    assertEquals(ProviderDescriptor.of(UdpProvider.class).id(), BaseProviders.UDP);
    assertEquals(ProviderDescriptor.of(InMemoryProvider.class).id(), BaseProviders.MEMORY);
  }

  @Test
  void serviceLoaderFindsTheThreeProviders() {
    List<String> found =
        ServiceLoader.load(Provider.class).stream()
            .map(p -> p.type().getName())
            .sorted()
            .collect(Collectors.toList());
    assertEquals(
        List.of(
            InMemoryProvider.class.getName(),
            TcpProvider.class.getName(),
            UdpProvider.class.getName()),
        found);
  }

  @Test
  void loadRefusesAnEntryOfAnotherFamilyOrType() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> new TcpProvider().load(TestContexts.load(TestContexts.udp4())));
    assertEquals(
        "provider 'tcp' cannot serve entry 1003 'udp4' (base): it asks for INET DATAGRAM UDP"
            + " (expected: family INET or INET6, type STREAM, protocol TCP)",
        e.getMessage());
    assertThrows(
        IOException.class, () -> new UdpProvider().load(TestContexts.load(TestContexts.tcp6())));
    IOException memory =
        assertThrows(
            IOException.class,
            () -> new InMemoryProvider().load(TestContexts.load(TestContexts.tcp4())));
    assertEquals(
        "provider 'memory' cannot serve entry 1001 'tcp4' (base): it asks for INET STREAM TCP"
            + " (expected: family MEMORY, type STREAM or DATAGRAM, protocol MEMORY)",
        memory.getMessage());
  }

  @Test
  void openBeforeLoadAndASecondLoadAreProgrammingErrors() throws IOException {
    BaseProvider tcp = new TcpProvider();
    CatalogEntry entry = TestContexts.tcp4();
    IllegalStateException notLoaded =
        assertThrows(IllegalStateException.class, () -> tcp.open(TestContexts.startup(entry)));
    assertEquals(
        "provider 'tcp' is not loaded (expected: load before open)", notLoaded.getMessage());
    assertEquals("TcpProvider[provider 'tcp' (not loaded)]", tcp.toString());
    tcp.load(TestContexts.load(entry));
    IllegalStateException twice =
        assertThrows(
            IllegalStateException.class, () -> tcp.load(TestContexts.load(TestContexts.tcp6())));
    assertEquals(
        "provider 'tcp' is already loaded for entry 1001 'tcp4' (base); cannot load it for"
            + " entry 1002 'tcp6' (base) (expected: one load per instance)",
        twice.getMessage());
    tcp.open(TestContexts.startup(entry));
    assertEquals(
        "TcpProvider[provider 'tcp' for entry 1001 'tcp4' (1 open sockets)]", tcp.toString());
    tcp.unload();
    assertEquals("TcpProvider[provider 'tcp' for entry 1001 'tcp4' (unloaded)]", tcp.toString());
  }

  @Test
  void unloadBeforeLoadDoesNothing() throws IOException {
    BaseProvider memory = new InMemoryProvider();
    memory.unload();
    assertEquals("InMemoryProvider[provider 'memory' (not loaded)]", memory.toString());
  }
}
