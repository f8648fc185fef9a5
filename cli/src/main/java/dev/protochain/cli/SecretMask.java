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

/**
 * Masks the secret settings of catalog entries for output ({@link Settings#mask}), the secrets
 * being those their providers' descriptors declare ({@code @SettingInfo(secret = true)}).
 */
final class SecretMask {

  private final Map<UUID, Set<String>> secrets = new HashMap<>();

  private SecretMask(List<ProviderDescriptor> descriptors) {
    for (ProviderDescriptor d : descriptors) {
      secrets.putIfAbsent(d.id(), d.secrets());
    }
  }

  /**
   * Returns the mask of the providers {@code providers} lists; if it cannot list them (a plugin
   * store that cannot be read), of those on the class path.
   */
  static SecretMask of(ProviderSource providers) {
    List<ProviderDescriptor> descriptors;
    try {
      descriptors = providers.descriptors();
    } catch (RuntimeException e) {
      descriptors = Main.providers().descriptors();
    }
    return new SecretMask(descriptors);
  }

  /** Returns the mask of one provider's settings. */
  static SecretMask of(ProviderDescriptor descriptor) {
    return new SecretMask(List.of(descriptor));
  }

  /** Returns {@code e} with each secret's value masked. */
  CatalogEntry entry(CatalogEntry e) {
    Set<String> keys = secrets.getOrDefault(e.providerId(), Set.of());
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
