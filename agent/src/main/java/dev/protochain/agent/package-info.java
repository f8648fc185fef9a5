/**
 * The protochain agent: {@link dev.protochain.agent.ProtochainAgent} layers the TCP connections of
 * an unmodified Java program over a chain of the catalog.
 */
package dev.protochain.agent;
