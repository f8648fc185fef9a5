/**
 * The runtime: the catalog and its store, the provider loader, the reference-counted lifecycle and
 * the {@code javax.net} bridge. The {@code internal} packages are not API: they are exported only
 * to the testkit.
 *
 * <p>Providers are found with {@link java.util.ServiceLoader} under {@link
 * dev.protochain.api.spi.Provider}; a plugin jar's Guice modules under {@code
 * com.google.inject.Module}. Plugins load from class loaders of their own and are never modules.
 */
// "requires-automatic": Guice has no module descriptor, only an Automatic-Module-Name. "module":
// the testkit, the one module the internal package is exported to, is built after this one.
@SuppressWarnings({"requires-automatic", "module"})
module dev.protochain.runtime {
  requires transitive dev.protochain.api;
  requires com.google.guice;
  // A real module that Guice, an automatic module, uses without naming it; shared with plugins.
  requires jakarta.inject;
  requires com.google.common;
  requires com.fasterxml.jackson.core;
  requires org.slf4j;
  // ChainRuntimeMXBean, part of the API, is an MXBean with JMX annotations.
  requires transitive java.management;
  requires jdk.jfr;
  requires jdk.security.auth;

  exports dev.protochain.runtime;
  exports dev.protochain.runtime.bridge;
  exports dev.protochain.runtime.store;
  exports dev.protochain.runtime.internal to
      dev.protochain.testkit;

  uses dev.protochain.api.spi.Provider;
  uses com.google.inject.Module;
  // Only to learn whether the application has a logging backend, without initialising SLF4J.
  uses org.slf4j.spi.SLF4JServiceProvider;
}
