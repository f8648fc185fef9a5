/**
 * The {@code trace} layer: a pass-through layer that logs every socket operation through SLF4J.
 *
 * <p>Start with {@link dev.protochain.layers.trace.TraceLayer}.
 */
package dev.protochain.layers.trace;
