/**
 * The conformance suites a provider must pass, as JUnit 5 tests to extend. Their package is opened
 * to the JUnit platform, which runs the inherited tests; {@code dev.protochain.testkit.internal} is
 * not API.
 */
module dev.protochain.testkit {
  requires transitive dev.protochain.api;
  requires transitive dev.protochain.runtime;
  requires transitive org.junit.jupiter.api;
  requires transitive org.junit.jupiter.params;
  // FramingContract bounds what a peer's oversize frame may make the layer allocate, with the
  // JDK's per-thread allocation counter (com.sun.management.ThreadMXBean).
  requires jdk.management;

  exports dev.protochain.testkit;

  opens dev.protochain.testkit to
      org.junit.platform.commons;
}
