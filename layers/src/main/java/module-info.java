/**
 * The stock layered providers, one package each. {@code dev.protochain.layers.internal} is not API
 * and stays closed.
 */
// Micrometer has no module descriptor, only an Automatic-Module-Name; the metrics layer's API
// (MetricsLayer.registry()) hands out its MeterRegistry, so applications read it through this one.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.protochain.layers {
  requires transitive dev.protochain.api;
  requires com.google.common;
  requires org.slf4j;
  requires transitive micrometer.core;

  exports dev.protochain.layers.coalesce;
  exports dev.protochain.layers.deflate;
  exports dev.protochain.layers.fault;
  exports dev.protochain.layers.filter;
  exports dev.protochain.layers.metrics;
  exports dev.protochain.layers.ratelimit;
  exports dev.protochain.layers.socks5;
  exports dev.protochain.layers.tls;
  exports dev.protochain.layers.trace;
  exports dev.protochain.layers.websocket;

  provides dev.protochain.api.spi.Provider with
      dev.protochain.layers.trace.TraceLayer,
      dev.protochain.layers.coalesce.CoalesceLayer,
      dev.protochain.layers.tls.TlsLayer,
      dev.protochain.layers.socks5.Socks5Layer,
      dev.protochain.layers.deflate.DeflateLayer,
      dev.protochain.layers.ratelimit.RateLimitLayer,
      dev.protochain.layers.metrics.MetricsLayer,
      dev.protochain.layers.filter.FilterLayer,
      dev.protochain.layers.fault.FaultLayer,
      dev.protochain.layers.websocket.WebSocketLayer;
}
