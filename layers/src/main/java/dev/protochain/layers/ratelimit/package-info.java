/**
 * The {@code ratelimit} layer: bytes and operations per second, per socket or per provider, over
 * Guava's {@link com.google.common.util.concurrent.RateLimiter}.
 *
 * <p>Start with {@link dev.protochain.layers.ratelimit.RateLimitLayer}.
 */
package dev.protochain.layers.ratelimit;
