/**
 * Conformance tests any protochain provider must pass, for provider authors to extend in their
 * JUnit 5 test sources.
 *
 * <p>Start with {@link dev.protochain.testkit.LayerContract} for a layer or {@link
 * dev.protochain.testkit.BaseProviderContract} for a base; both run over real chains built by
 * {@link dev.protochain.runtime.ChainRuntime} on the {@link dev.protochain.testkit.Transport}s. A
 * layer that frames the stream also runs {@link dev.protochain.testkit.FramingContract}. Nothing in
 * this package accepts or returns {@code null} unless documented as nullable.
 */
package dev.protochain.testkit;
