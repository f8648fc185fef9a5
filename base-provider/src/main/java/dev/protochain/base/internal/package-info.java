/**
 * Internal; not API. The socket machinery of the base providers: NIO-backed TCP and UDP sockets,
 * and the in-memory network and its pipes, all on the public skeleton {@link
 * dev.protochain.api.spi.AbstractBaseSocket}. Nothing in this package accepts or returns {@code
 * null} unless documented as nullable.
 */
package dev.protochain.base.internal;
