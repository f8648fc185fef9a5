/**
 * Runnable examples of protochain: each class has a {@code main} and says in its Javadoc how to run
 * it with {@code samples/run}.
 */
package dev.protochain.samples;
