/**
 * The {@code socks5} layer: connects stream sockets through a SOCKS5 proxy (RFC 1928 CONNECT, with
 * RFC 1929 username/password authentication).
 *
 * <p>Start with {@link dev.protochain.layers.socks5.Socks5Layer}. Nothing in this package accepts
 * or returns {@code null} unless documented.
 */
package dev.protochain.layers.socks5;
