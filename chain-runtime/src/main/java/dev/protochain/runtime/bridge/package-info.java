/**
 * Runs existing Java clients and servers over a chain: a {@link javax.net.SocketFactory} and a
 * {@link javax.net.ServerSocketFactory} whose sockets pass through a catalog entry.
 *
 * <p>Start with {@link dev.protochain.runtime.bridge.ChainSocketFactory} and {@link
 * dev.protochain.runtime.bridge.ChainServerSocketFactory}.
 */
package dev.protochain.runtime.bridge;
