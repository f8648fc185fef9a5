/**
 * An application module over protochain: {@link dev.protochain.samples.modules.ModularEcho} echoes
 * bytes over a chain of stock layers, {@link dev.protochain.samples.modules.ReachInternal} tries to
 * call into the runtime's internals. Nothing here accepts or returns {@code null}.
 */
package dev.protochain.samples.modules;
