package dev.protochain.runtime.testing;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Protocol;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.SocketType;
import dev.protochain.runtime.Catalog;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/** Builds catalogs of test entries over {@link FakeProviderSource} providers. Not thread-safe. */
public final class TestCatalogs {

  private final List<CatalogEntry> entries = new ArrayList<>(Catalog.builtin().entries());

  /** Starts from the built-in catalog. */
  public TestCatalogs() {}

  /**
   * Adds a base entry {@code id} served by the test provider {@code provider}, stream over memory.
   */
  public TestCatalogs base(int id, String name, String provider) {
    return base(id, name, provider, AddressFamily.MEMORY, SocketType.STREAM, Protocol.MEMORY);
  }

  /** Adds a base entry {@code id} served by the test provider {@code provider}. */
  public TestCatalogs base(
      int id,
      String name,
      String provider,
      AddressFamily family,
      SocketType type,
      Protocol protocol) {
    entries.add(
        CatalogEntry.builder()
            .id(id)
            .name(name)
            .providerId(FakeProviderSource.idOf(provider))
            .serves(family, type, protocol)
            .flags(
                EnumSet.of(
                    ServiceFlag.GUARANTEED_DELIVERY,
                    ServiceFlag.GUARANTEED_ORDER,
                    ServiceFlag.GRACEFUL_CLOSE))
            .chain(ProtocolChain.base(id))
            .build());
    return this;
  }

  /** Adds the own entry {@code id} of the test layer {@code provider}. */
  public TestCatalogs layer(int id, String name, String provider) {
    return layer(id, name, provider, Map.of());
  }

  /** Adds the own entry {@code id} of the test or stock layer {@code provider} with settings. */
  public TestCatalogs layer(int id, String name, String provider, Map<String, String> settings) {
    return layer(id, name, FakeProviderSource.idOf(provider), settings);
  }

  /** Adds the own entry {@code id} of the layer with {@code providerId}, with settings. */
  public TestCatalogs layer(
      int id, String name, java.util.UUID providerId, Map<String, String> settings) {
    entries.add(
        CatalogEntry.builder()
            .id(id)
            .name(name)
            .providerId(providerId)
            .serves(AddressFamily.MEMORY, SocketType.STREAM, Protocol.MEMORY)
            .chain(ProtocolChain.layer())
            .settings(settings)
            .build());
    return this;
  }

  /** Adds the chain entry {@code id} over {@code ids} (top first), serving what its base serves. */
  public TestCatalogs chain(int id, String name, int... ids) {
    CatalogEntry base =
        entries.stream()
            .filter(e -> e.id() == ids[ids.length - 1])
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException("add the base " + ids[ids.length - 1] + " first"));
    CatalogEntry top =
        entries.stream()
            .filter(e -> e.id() == ids[0])
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("add the layer " + ids[0] + " first"));
    entries.add(
        CatalogEntry.builder()
            .id(id)
            .name(name)
            .providerId(top.providerId())
            .serves(base.family(), base.type(), base.protocol())
            .flags(base.flags())
            .chain(ProtocolChain.of(ids))
            .build());
    return this;
  }

  /** Returns the catalog. */
  public Catalog build() {
    return Catalog.of(entries);
  }
}
