/**
 * Test fixtures shared through the {@code test-jar}: recording and failing providers, a fake
 * provider source and catalog builders.
 */
package dev.protochain.runtime.testing;
