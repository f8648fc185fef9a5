/**
 * Test fixtures shared through the {@code test-jar}: recording and failing providers, a fake
 * provider source and catalog builders, real peers for interop tests ({@link
 * dev.protochain.runtime.testing.OpenSsl}, {@link dev.protochain.runtime.testing.Microsocks}), and
 * a SOCKS5 server over chain sockets ({@link dev.protochain.runtime.testing.ChainSocksServer}) for
 * the in-memory loopback, which no outside proxy reaches; and what the property-based tests share:
 * time bounds for jqwik ({@link dev.protochain.runtime.testing.PropertyTimeout}, {@link
 * dev.protochain.runtime.testing.Bounded}) and a fuzzing peer ({@link
 * dev.protochain.runtime.testing.Peer}).
 */
package dev.protochain.runtime.testing;
