package dev.protochain.runtime;

import dev.protochain.api.ProtochainException;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.internal.ClasspathProviderSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a runtime finds the provider a catalog entry names by UUID: the class path, a plugin
 * store, or several of them in order.
 *
 * <p>Implementations are thread-safe.
 */
public interface ProviderSource {

  /** Returns what the source is, for messages: {@code class path}, a plugin store's directory. */
  String name();

  /**
   * Returns the descriptor of the provider with {@code providerId} without loading it, or empty if
   * this source has no such provider.
   *
   * @throws ProtochainException with {@link ProtochainException.Code#INVALID_PROVIDER} if the
   *     source has it but it is unusable
   */
  Optional<ProviderDescriptor> describe(UUID providerId) throws ProtochainException;

  /**
   * Returns a fresh binding of the provider with {@code providerId}, for one load.
   *
   * @throws ProtochainException with {@link ProtochainException.Code#INVALID_PROVIDER} if the
   *     source has no such provider or it is unusable
   */
  ProviderBinding bind(UUID providerId) throws ProtochainException;

  /**
   * Returns the descriptors of every usable provider this source can list, in its own order; tools
   * use it to find a provider by name. The default lists none, for a source that can only look
   * providers up by UUID.
   */
  default List<ProviderDescriptor> descriptors() {
    return List.of();
  }

  /**
   * Returns the providers registered for {@link java.util.ServiceLoader} in {@code loader}: the
   * stock providers on the class path, typically.
   */
  static ProviderSource classpath(ClassLoader loader) {
    return new ClasspathProviderSource(loader);
  }

  /** Returns a source asking {@code sources} in order. */
  static ProviderSource firstOf(List<ProviderSource> sources) {
    List<ProviderSource> copy = List.copyOf(sources);
    return new ProviderSource() {
      @Override
      public String name() {
        List<String> names = new ArrayList<>();
        copy.forEach(s -> names.add(s.name()));
        return String.join(", ", names);
      }

      @Override
      public Optional<ProviderDescriptor> describe(UUID providerId) throws ProtochainException {
        for (ProviderSource s : copy) {
          Optional<ProviderDescriptor> d = s.describe(providerId);
          if (d.isPresent()) {
            return d;
          }
        }
        return Optional.empty();
      }

      @Override
      public List<ProviderDescriptor> descriptors() {
        List<ProviderDescriptor> all = new ArrayList<>();
        copy.forEach(s -> all.addAll(s.descriptors()));
        return List.copyOf(all);
      }

      @Override
      public ProviderBinding bind(UUID providerId) throws ProtochainException {
        for (ProviderSource s : copy) {
          if (s.describe(providerId).isPresent()) {
            return s.bind(providerId);
          }
        }
        throw new ProtochainException(ProtochainException.Code.INVALID_PROVIDER,
            "no provider " + providerId + " in " + name());
      }
    };
  }
}
