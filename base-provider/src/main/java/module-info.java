/**
 * The base providers: TCP and UDP over {@code java.nio}, and the in-memory loopback. {@code
 * dev.protochain.base.internal} is not API and stays closed.
 */
module dev.protochain.base {
  requires transitive dev.protochain.api;

  exports dev.protochain.base;

  provides dev.protochain.api.spi.Provider with
      dev.protochain.base.TcpProvider,
      dev.protochain.base.UdpProvider,
      dev.protochain.base.InMemoryProvider;
}
