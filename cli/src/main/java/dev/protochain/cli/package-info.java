/**
 * The {@code protochain} command: the demo, the catalog commands, and netcat over a chain.
 *
 * <p>Start with {@link dev.protochain.cli.Main}.
 */
package dev.protochain.cli;
