package dev.protochain.api.spi;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Settings;

/**
 * What a provider is given when it is loaded.
 *
 * <p>Implementations are immutable.
 */
public interface ProviderContext {

  /** Returns the provider's own entry: a layer's own entry, or a base entry. */
  CatalogEntry entry();

  /** Returns the provider's descriptor, as read from its {@link ProviderInfo}. */
  ProviderDescriptor descriptor();

  /** Returns the settings: the entry's settings over the descriptor's defaults. */
  Settings settings();

  /** Returns the runtime's services, the same object for every provider of the runtime. */
  RuntimeServices services();
}
