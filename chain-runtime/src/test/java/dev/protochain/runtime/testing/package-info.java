/**
 * Test fixtures shared through the {@code test-jar}: recording and failing providers, a fake
 * provider source and catalog builders, and real peers for interop tests ({@link
 * dev.protochain.runtime.testing.OpenSsl}, {@link dev.protochain.runtime.testing.Microsocks}).
 */
package dev.protochain.runtime.testing;
