package dev.protochain.api.spi;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Version;

/**
 * What one startup hands a provider: the negotiated version and the entry the startup is for.
 *
 * <p>A layer receives the chain entry unchanged; a base provider receives its own base entry, never
 * the chain. Implementations are immutable.
 */
public interface StartupContext {

  /** Returns the version negotiated with this provider. */
  Version version();

  /** Returns the chain entry the startup is for, or for a base provider its own entry. */
  CatalogEntry entry();

  /** Returns this provider's depth in the chain, 0 being the top. */
  int depth();

  /** Returns the runtime's services. */
  RuntimeServices services();
}
