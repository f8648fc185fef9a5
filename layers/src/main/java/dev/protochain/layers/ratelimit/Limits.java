package dev.protochain.layers.ratelimit;

import com.google.common.util.concurrent.RateLimiter;

/**
 * The rate limiters of one socket, or of every socket of a load: bytes sent, bytes received and
 * operations; {@code null} where there is no limit. Thread-safe.
 */
final class Limits {

  /** No limit at all: nothing to wait for, and nothing of its own, so any socket may share it. */
  static final Limits NONE = new Limits(0, 0);

  final RateLimiter sent;
  final RateLimiter received;
  final RateLimiter operations;

  /** The most bytes one stream send passes: a tenth of a second's worth, at least 1. */
  final int chunk;

  Limits(long bytesPerSecond, long operationsPerSecond) {
    sent = bytesPerSecond > 0 ? RateLimiter.create((double) bytesPerSecond) : null;
    received = bytesPerSecond > 0 ? RateLimiter.create((double) bytesPerSecond) : null;
    operations = operationsPerSecond > 0 ? RateLimiter.create((double) operationsPerSecond) : null;
    chunk =
        bytesPerSecond > 0
            ? (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytesPerSecond / 10))
            : Integer.MAX_VALUE;
  }
}
