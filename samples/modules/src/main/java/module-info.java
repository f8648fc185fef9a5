/**
 * An application using protochain as a library: it reads the runtime and the stock layers, and
 * nothing of their internals.
 */
module dev.protochain.samples.modules {
  requires dev.protochain.runtime;
  requires dev.protochain.layers;

  exports dev.protochain.samples.modules;
}
