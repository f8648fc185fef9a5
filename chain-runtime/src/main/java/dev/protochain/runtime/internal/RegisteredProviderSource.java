package dev.protochain.runtime.internal;

import dev.protochain.api.ProtochainException;
import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.ProviderBinding;
import dev.protochain.runtime.ProviderSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ProviderSource} of providers registered in code, each made by its factory at every load
 * and remembered, so that a test can tell a fresh instance from a reused one. The one source of
 * test providers: the testkit's contracts and the runtime's own tests register theirs here.
 *
 * <p>This class is thread-safe.
 */
public class RegisteredProviderSource implements ProviderSource {

  private record Registered(ProviderDescriptor descriptor, Callable<? extends Provider> factory) {}

  private final String name;
  private final Map<UUID, Registered> providers = new ConcurrentHashMap<>();
  private final Map<UUID, List<Provider>> made = new ConcurrentHashMap<>();

  /** Creates an empty source named {@code name} in messages: {@code testkit providers}. */
  public RegisteredProviderSource(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  /**
   * Registers the provider of {@code descriptor}, made by {@code factory} at each load; replaces a
   * registration with the same id. An unchecked exception of the factory reaches the runtime as it
   * is; a checked one wrapped in an {@link IllegalStateException} naming the provider.
   *
   * @return this source
   */
  public RegisteredProviderSource register(
      ProviderDescriptor descriptor, Callable<? extends Provider> factory) {
    providers.put(descriptor.id(), new Registered(descriptor, factory));
    return this;
  }

  /** Returns the instances made so far of the provider with {@code id}, oldest first. */
  public List<Provider> instances(UUID id) {
    List<Provider> list = made.get(id);
    if (list == null) {
      return List.of();
    }
    synchronized (list) {
      return List.copyOf(list);
    }
  }

  @Override
  public String name() {
    return name;
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
          ProtochainException.Code.INVALID_PROVIDER, "no provider " + providerId + " in " + name);
    }
    return ProviderBinding.ofFactory(
        r.descriptor,
        () -> {
          Provider p;
          try {
            p = r.factory.call();
          } catch (RuntimeException e) {
            throw e; // a failing constructor, as the runtime reports it
          } catch (Exception e) {
            throw new IllegalStateException("cannot make " + r.descriptor + ": " + e, e);
          }
          List<Provider> list = made.computeIfAbsent(providerId, k -> new ArrayList<>());
          synchronized (list) {
            list.add(p);
          }
          return p;
        });
  }
}
