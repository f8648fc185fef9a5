/**
 * Internal; not API. The socket machinery of the base providers: NIO-backed TCP and UDP sockets,
 * the in-memory network and its pipes, and the scope that tracks every socket a provider opened.
 *
 * <p>Entry types: {@link dev.protochain.base.internal.ProviderScope} and {@link
 * dev.protochain.base.internal.AbstractBaseSocket}. Nothing in this package accepts or returns
 * {@code null} unless documented as nullable.
 */
package dev.protochain.base.internal;
