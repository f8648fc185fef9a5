/**
 * Runs protocol chains: the catalog, the provider loader and the reference-counted lifecycle.
 *
 * <p>Start with {@link dev.protochain.runtime.ChainRuntime} and its {@link
 * dev.protochain.runtime.ChainRuntime#builder() builder}; the catalog is a {@link
 * dev.protochain.runtime.Catalog}; tools observe the lifecycle through a {@link
 * dev.protochain.runtime.LifecycleListener}. Nothing here accepts or returns {@code null} unless
 * documented as nullable.
 */
package dev.protochain.runtime;
