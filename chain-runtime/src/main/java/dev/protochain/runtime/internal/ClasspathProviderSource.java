package dev.protochain.runtime.internal;

import dev.protochain.api.ProtochainException;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.ProviderBinding;
import dev.protochain.runtime.ProviderSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.UUID;

/**
 * The providers registered for {@link ServiceLoader} in one class loader, read once, without
 * instantiating them. A registered class that is unusable (no descriptor, a UUID used twice) is
 * remembered and named when its UUID, or any missing one, is asked for.
 */
public final class ClasspathProviderSource implements ProviderSource {

  private final ClassLoader loader;
  private volatile Scan scan;

  private record Found(ProviderDescriptor descriptor, Class<? extends Provider> type) {}

  private record Scan(Map<UUID, Found> found, List<String> unusable) {}

  /** Creates a source over the providers registered in {@code loader}. */
  public ClasspathProviderSource(ClassLoader loader) {
    this.loader = loader;
  }

  @Override
  public String name() {
    return "class path";
  }

  @Override
  public Optional<ProviderDescriptor> describe(UUID providerId) {
    Found f = scan().found.get(providerId);
    return f == null ? Optional.empty() : Optional.of(f.descriptor);
  }

  @Override
  public ProviderBinding bind(UUID providerId) throws ProtochainException {
    Scan s = scan();
    Found f = s.found.get(providerId);
    if (f == null) {
      throw new ProtochainException(
          ProtochainException.Code.INVALID_PROVIDER,
          "no provider "
              + providerId
              + " on the class path"
              + (s.unusable.isEmpty() ? "" : "; unusable there: " + String.join("; ", s.unusable)));
    }
    return ProviderBinding.ofClass(f.descriptor, f.type);
  }

  /** Returns the descriptors of every usable provider, in registration order. */
  @Override
  public List<ProviderDescriptor> descriptors() {
    List<ProviderDescriptor> out = new ArrayList<>();
    scan().found.values().forEach(f -> out.add(f.descriptor));
    return out;
  }

  /** Returns a sentence for every registered class that could not be used. */
  public List<String> unusable() {
    return scan().unusable;
  }

  private Scan scan() {
    Scan s = scan;
    if (s == null) {
      synchronized (this) {
        s = scan;
        if (s == null) {
          s = doScan();
          scan = s;
        }
      }
    }
    return s;
  }

  private Scan doScan() {
    Map<UUID, Found> found = new LinkedHashMap<>();
    List<String> unusable = new ArrayList<>();
    ServiceLoader<Provider> sl = ServiceLoader.load(Provider.class, loader);
    var it = sl.stream().iterator();
    while (true) {
      ServiceLoader.Provider<Provider> candidate;
      try {
        if (!it.hasNext()) {
          break;
        }
        candidate = it.next();
      } catch (ServiceConfigurationError e) {
        unusable.add(e.getMessage());
        continue;
      }
      Class<? extends Provider> type = candidate.type();
      try {
        ProviderDescriptor d = ProviderDescriptor.of(type);
        Found previous = found.putIfAbsent(d.id(), new Found(d, type));
        if (previous != null && previous.type != type) {
          unusable.add(
              type.getName()
                  + " declares id "
                  + d.id()
                  + ", already used by "
                  + previous.type.getName());
        }
      } catch (ProtochainException e) {
        unusable.add(e.getMessage());
      }
    }
    return new Scan(java.util.Collections.unmodifiableMap(found), List.copyOf(unusable));
  }
}
