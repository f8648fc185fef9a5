/**
 * Internal; not API. The fixtures behind the contracts: probe and failing providers, the runtime
 * harness and the echo helpers.
 */
package dev.protochain.testkit.internal;
