/**
 * The {@code filter} layer: allow and deny lists of address ranges and ports, checked on connect,
 * accept and sendTo.
 *
 * <p>Start with {@link dev.protochain.layers.filter.FilterLayer}; a refusal is a {@link
 * dev.protochain.layers.filter.RefusedByFilterException} naming the rule.
 */
package dev.protochain.layers.filter;
