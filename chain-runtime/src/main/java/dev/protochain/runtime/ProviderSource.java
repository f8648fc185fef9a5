package dev.protochain.runtime;

import dev.protochain.api.ProtochainException;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.internal.ClasspathProviderSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a runtime finds the provider a catalog entry names by UUID: the class path, a plugin store,
 * or several of them in order.
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

  /**
   * Returns a source of provider classes given in code, each carrying its {@link
   * dev.protochain.api.spi.ProviderInfo} descriptor: the way to run a layer an application defines
   * itself, without a plugin jar.
   *
   * @throws ProtochainException {@code INVALID_PROVIDER} if a class has no valid descriptor or two
   *     share an id
   */
  static ProviderSource of(List<Class<? extends dev.protochain.api.spi.Provider>> types)
      throws ProtochainException {
    java.util.Map<UUID, ProviderDescriptor> byId = new java.util.LinkedHashMap<>();
    java.util.Map<UUID, Class<? extends dev.protochain.api.spi.Provider>> classes =
        new java.util.HashMap<>();
    for (Class<? extends dev.protochain.api.spi.Provider> type : types) {
      ProviderDescriptor d = ProviderDescriptor.of(type);
      if (byId.putIfAbsent(d.id(), d) != null) {
        throw new ProtochainException(
            ProtochainException.Code.INVALID_PROVIDER,
            type.getName()
                + " declares id "
                + d.id()
                + ", already used by "
                + classes.get(d.id()).getName());
      }
      classes.put(d.id(), type);
    }
    return new ProviderSource() {
      @Override
      public String name() {
        return "classes given in code";
      }

      @Override
      public Optional<ProviderDescriptor> describe(UUID providerId) {
        return Optional.ofNullable(byId.get(providerId));
      }

      @Override
      public ProviderBinding bind(UUID providerId) throws ProtochainException {
        ProviderDescriptor d = byId.get(providerId);
        if (d == null) {
          throw new ProtochainException(
              ProtochainException.Code.INVALID_PROVIDER,
              "no provider " + providerId + " among the classes given in code");
        }
        return ProviderBinding.ofClass(d, classes.get(providerId));
      }
    };
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
        throw new ProtochainException(
            ProtochainException.Code.INVALID_PROVIDER,
            "no provider " + providerId + " in " + name());
      }
    };
  }
}
