package dev.protochain.runtime.testing;

import dev.protochain.api.EntryKind;
import dev.protochain.api.VersionRange;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.internal.RegisteredProviderSource;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * The runtime's test providers: the kit's {@link RegisteredProviderSource}, plus descriptors whose
 * ids derive from a name and the {@link RecordingLayer} and {@link RecordingBase} of this package.
 */
public final class FakeProviderSource extends RegisteredProviderSource {

  /** Creates an empty source. */
  public FakeProviderSource() {
    super("test providers");
  }

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
  @Override
  public FakeProviderSource register(
      ProviderDescriptor descriptor, Callable<? extends Provider> factory) {
    super.register(descriptor, factory);
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
}
