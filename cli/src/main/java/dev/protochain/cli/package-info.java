/**
 * The {@code protochain} command: the demo, the catalog commands, netcat over a chain, and the
 * status of running JVMs.
 *
 * <p>Start with {@link dev.protochain.cli.Main}.
 */
package dev.protochain.cli;
