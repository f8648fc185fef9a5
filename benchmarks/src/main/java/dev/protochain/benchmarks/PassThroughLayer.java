package dev.protochain.benchmarks;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ForwardingSocket;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.StartupContext;

/** A layer that does nothing: every operation passes through its {@link ForwardingSocket}. */
@ProviderInfo(
    id = "e1f1d7ef-5992-40be-b2b7-c3a71b474e8c",
    name = "pass",
    kind = EntryKind.LAYER,
    description = "Passes every operation through unchanged; for benchmarks.")
public final class PassThroughLayer extends AbstractLayer {

  /** Creates the layer; the runtime calls this. */
  public PassThroughLayer() {}

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    return new Socket(below);
  }

  private static final class Socket extends ForwardingSocket {
    Socket(ChainSocket below) {
      super(below);
    }

    @Override
    protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
      return new Socket(acceptedBelow);
    }
  }
}
