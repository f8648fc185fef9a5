/**
 * The hook the agent's advice calls from {@code java.base}; defined in the bootstrap class loader.
 * Internal; not API.
 */
package dev.protochain.agent.boot;
