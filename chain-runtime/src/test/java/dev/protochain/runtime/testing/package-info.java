/**
 * Test fixtures shared through the {@code test-jar}: recording and failing providers, a fake
 * provider source and catalog builders, real peers for interop tests ({@link
 * dev.protochain.runtime.testing.OpenSsl}, {@link dev.protochain.runtime.testing.Microsocks}), and
 * a SOCKS5 server over chain sockets ({@link dev.protochain.runtime.testing.ChainSocksServer}) for
 * the in-memory loopback, which no outside proxy reaches.
 */
package dev.protochain.runtime.testing;
