/**
 * The {@code fault} layer: seeded, deterministic delays, connection resets, short writes and
 * datagram drops, for testing the code above a chain.
 *
 * <p>Start with {@link dev.protochain.layers.fault.FaultLayer}.
 */
package dev.protochain.layers.fault;
