package dev.protochain.cli;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Settings;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ProviderSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Masks the secret settings of catalog entries for output ({@link Settings#mask}), the secrets
 * being those their providers' descriptors declare ({@code @SettingInfo(secret = true)}). Not
 * thread-safe: one command's.
 */
final class SecretMask {

  private final Supplier<List<ProviderDescriptor>> descriptors;

  /** The secret settings of each provider, read when the first entry with settings is masked. */
  private Map<UUID, Set<String>> secrets;

  private SecretMask(Supplier<List<ProviderDescriptor>> descriptors) {
    this.descriptors = descriptors;
  }

  /**
   * Returns the mask of the providers {@code providers} lists; if it cannot list them (a plugin
   * store that cannot be read), of those on the class path. They are listed only if an entry with
   * settings is masked: a catalog without settings (the built-in one) is shown without loading a
   * provider.
   */
  static SecretMask of(ProviderSource providers) {
    return new SecretMask(
        () -> {
          try {
            return providers.descriptors();
          } catch (RuntimeException e) {
            return Main.providers().descriptors();
          }
        });
  }

  /** Returns the mask of one provider's settings. */
  static SecretMask of(ProviderDescriptor descriptor) {
    return new SecretMask(() -> List.of(descriptor));
  }

  private Map<UUID, Set<String>> secrets() {
    if (secrets == null) {
      Map<UUID, Set<String>> found = new HashMap<>();
      for (ProviderDescriptor d : descriptors.get()) {
        found.putIfAbsent(d.id(), d.secrets());
      }
      secrets = found;
    }
    return secrets;
  }

  /** Returns {@code e} with each secret's value masked. */
  CatalogEntry entry(CatalogEntry e) {
    if (e.settings().isEmpty()) {
      return e;
    }
    Set<String> keys = secrets().getOrDefault(e.providerId(), Set.of());
    Map<String, String> shown = new LinkedHashMap<>();
    e.settings().forEach((k, v) -> shown.put(k, keys.contains(k) ? Settings.mask(v) : v));
    return shown.equals(e.settings()) ? e : e.toBuilder().settings(shown).build();
  }

  /**
   * Returns {@code catalog} with every secret's value masked, or {@code catalog} if it has none.
   */
  Catalog catalog(Catalog catalog) {
    List<CatalogEntry> entries = catalog.entries().stream().map(this::entry).toList();
    return entries.equals(catalog.entries()) ? catalog : Catalog.of(entries, catalog.plugins());
  }
}
