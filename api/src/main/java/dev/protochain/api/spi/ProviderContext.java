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

  /**
   * Returns the provider's logger, named after its class ({@link ProviderDescriptor#className()}):
   * the way a provider logs, and the only one a plugin has. A plugin's class loader shares the JDK,
   * this API and Guice with the host and nothing else, so a plugin cannot reach the application's
   * SLF4J or logging backend itself; it logs here, and the runtime routes the lines:
   *
   * <ul>
   *   <li>to the application's SLF4J backend when it has one, as SLF4J's logger of the same name
   *       ({@code ALL} and {@code TRACE} to trace, {@code WARNING} to warn, and so on), so the
   *       backend's configuration for that name applies;
   *   <li>otherwise to the JDK's platform logger of that name ({@link System#getLogger(String)}),
   *       served by {@code java.util.logging} unless the application installed a {@link
   *       System.LoggerFinder}.
   * </ul>
   *
   * <p>The logger is handed through the context rather than by a {@link System.LoggerFinder} of the
   * runtime's, because a finder is one per JVM and belongs to the application; a runtime embedded
   * in it must not take it over. Messages with parameters are formatted as {@link
   * java.text.MessageFormat} does ({@code "sent {0} bytes"}), as {@link System.Logger} specifies.
   * The logger holds no reference to the provider, so keeping it past an unload pins nothing.
   *
   * <pre>{@code
   * @Override protected void onLoad(ProviderContext context) {
   *   log = context.logger();
   *   log.log(System.Logger.Level.INFO, "loaded with key {0}", settings().get("key"));
   * }
   * }</pre>
   *
   * <p>The default, for contexts made outside a runtime (tests), is the platform logger.
   */
  default System.Logger logger() {
    return System.getLogger(descriptor().className());
  }
}
