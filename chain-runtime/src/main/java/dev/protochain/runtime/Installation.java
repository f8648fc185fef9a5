package dev.protochain.runtime;

import dev.protochain.api.CatalogEntry;
import java.util.List;

/**
 * What an install of a layer added to a catalog [Winsock's {@code WSCInstallProvider} of an LSP]:
 * the catalog it made, the layer's own entry, each chain with the entry it went over, and the
 * entries passed over with the reason.
 *
 * @param catalog the catalog with the layer installed, not yet validated
 * @param layer the layer's own entry
 * @param chains each new chain, in the order of the targets
 * @param passedOver the base and chain entries the layer was not installed over, and why; empty
 *     unless the install was asked to go over every entry it can
 */
public record Installation(
    Catalog catalog,
    CatalogEntry layer,
    List<Chain> chains,
    List<Selection.PassedOver> passedOver) {

  /**
   * One chain an install added.
   *
   * @param chain the new chain entry, placed just before its target
   * @param target the base or chain entry it goes over
   */
  public record Chain(CatalogEntry chain, CatalogEntry target) {}

  /** Creates an installation, copying the lists. */
  public Installation {
    chains = List.copyOf(chains);
    passedOver = List.copyOf(passedOver);
  }
}
