/**
 * The application API and the provider SPI of protochain: what applications and providers compile
 * against, the JDK alone underneath.
 *
 * <p>A runtime finds providers with {@link java.util.ServiceLoader} under {@link
 * dev.protochain.api.spi.Provider}; a module declares its own with {@code provides
 * dev.protochain.api.spi.Provider with ...}. The runtime constructs providers with Guice: a
 * provider class is public with a public constructor, or its module opens its package to {@code
 * com.google.guice}.
 */
module dev.protochain.api {
  exports dev.protochain.api;
  exports dev.protochain.api.spi;
}
