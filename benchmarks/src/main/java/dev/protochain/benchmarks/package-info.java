/**
 * Benchmarks of protochain, never published: JMH benchmarks over the in-memory loopback, a
 * side-by-side TCP comparison with raw NIO and Netty, and {@link dev.protochain.benchmarks.Report},
 * which runs them all and prints the table {@code benchmarks/run} shows.
 */
package dev.protochain.benchmarks;
