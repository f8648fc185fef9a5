/**
 * The agent's runtime side, loaded in its own class loader: arguments, selection, the relay.
 * Internal; not API.
 */
package dev.protochain.agent.internal;
