/**
 * The {@code coalesce} layer: holds small writes and sends them together once a size threshold, a
 * delay, a flush or a close comes.
 *
 * <p>Start with {@link dev.protochain.layers.coalesce.CoalesceLayer}.
 */
package dev.protochain.layers.coalesce;
