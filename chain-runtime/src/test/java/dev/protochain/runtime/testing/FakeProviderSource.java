package dev.protochain.runtime.testing;

import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.VersionRange;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.ProviderBinding;
import dev.protochain.runtime.ProviderSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** A {@link ProviderSource} of providers registered in code, each made by a factory per load. */
public final class FakeProviderSource implements ProviderSource {

  private record Registered(ProviderDescriptor descriptor, Supplier<? extends Provider> factory) {}

  private final Map<UUID, Registered> providers = new ConcurrentHashMap<>();

  /** Returns a descriptor for a test provider; its UUID derives from its name. */
  public static ProviderDescriptor descriptor(String name, EntryKind kind, VersionRange versions) {
    return new ProviderDescriptor(
        idOf(name),
        name,
        kind,
        "1.0.0",
        versions,
        List.of(),
        Set.of(),
        "test provider " + name,
        "test." + name);
  }

  /** Returns the UUID the descriptor of {@code name} gets. */
  public static UUID idOf(String name) {
    return UUID.nameUUIDFromBytes(
        ("protochain-test-" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Registers a provider made by {@code factory} at each load. */
  public FakeProviderSource register(
      ProviderDescriptor descriptor, Supplier<? extends Provider> factory) {
    providers.put(descriptor.id(), new Registered(descriptor, factory));
    return this;
  }

  /** Registers a {@link RecordingLayer} named {@code name} speaking every version. */
  public FakeProviderSource layer(String name, Recorder recorder) {
    return register(
        descriptor(name, EntryKind.LAYER, VersionRange.ALL),
        () -> new RecordingLayer(name, recorder));
  }

  /** Registers a {@link RecordingBase} named {@code name} speaking every version. */
  public FakeProviderSource base(String name, Recorder recorder) {
    return register(
        descriptor(name, EntryKind.BASE, VersionRange.ALL),
        () -> new RecordingBase(name, recorder));
  }

  @Override
  public String name() {
    return "test providers";
  }

  @Override
  public Optional<ProviderDescriptor> describe(UUID providerId) {
    Registered r = providers.get(providerId);
    return r == null ? Optional.empty() : Optional.of(r.descriptor);
  }

  @Override
  public ProviderBinding bind(UUID providerId) throws ProtochainException {
    Registered r = providers.get(providerId);
    if (r == null) {
      throw new ProtochainException(
          ProtochainException.Code.INVALID_PROVIDER, "no test provider " + providerId);
    }
    return ProviderBinding.ofFactory(r.descriptor, r.factory);
  }
}
