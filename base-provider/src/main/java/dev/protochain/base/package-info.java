/**
 * The base providers of protochain: TCP and UDP over {@code java.nio}, and an in-memory loopback.
 *
 * <p>{@link dev.protochain.base.TcpProvider}, {@link dev.protochain.base.UdpProvider} and {@link
 * dev.protochain.base.InMemoryProvider} implement {@link dev.protochain.api.spi.BaseProvider} and
 * are registered for {@link java.util.ServiceLoader}; {@link dev.protochain.base.BaseProviders}
 * holds their ids and names. Nothing in this package accepts or returns {@code null} unless
 * documented as nullable.
 */
package dev.protochain.base;
