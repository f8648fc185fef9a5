/**
 * Keeps the catalog in a protochain home: a JSON file written atomically under a cross-process
 * lock, with the previous version kept as a backup.
 *
 * <p>Start with {@link dev.protochain.runtime.store.CatalogStore}, opened on a {@link
 * dev.protochain.runtime.store.ProtochainHome}; a read returns a {@link
 * dev.protochain.runtime.store.StoredCatalog}, a write a {@link
 * dev.protochain.runtime.store.CatalogChange}. Nothing here accepts or returns {@code null}.
 */
package dev.protochain.runtime.store;
