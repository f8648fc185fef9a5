package dev.protochain.benchmarks;

import java.io.Closeable;

/**
 * One side of the TCP comparison: a way to move bytes between two endpoints on 127.0.0.1. Every
 * contender sets {@code TCP_NODELAY}, sends each message with its own write, and measures from the
 * moment the connection is up. Every contender moves direct buffers, allocated once: Netty's pooled
 * allocator hands out direct buffers, and a heap buffer would cost the other two an extra copy
 * inside the JDK (into a temporary direct buffer) on each write and each read, which is the JDK's
 * cost and not the chain's (BENCHMARKS.md shows the run that found it).
 */
interface TcpContender extends Closeable {

  /** Returns the contender's name for the table. */
  String name();

  /**
   * Sends {@code total} bytes in messages of {@code size} bytes from a client to a server that
   * reads and discards them, and returns the throughput in MiB/s, timed until the server has read
   * the last byte.
   */
  double throughput(int size, long total) throws Exception;

  /**
   * Runs {@code warmup} and then {@code count} 64-byte ping-pongs; returns the latter's latencies
   * in ns.
   */
  long[] pingPong(int warmup, int count) throws Exception;
}
