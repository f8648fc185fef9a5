package ${package};

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ForwardingSocket;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.StartupContext;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The ${layerName} layer: passes every operation to the layer below it unchanged.
 *
 * <p>To change the bytes on the wire, change {@code send} and {@code receive} of its socket; to
 * hold resources, override {@code onLoad} and {@code onUnload}; to take settings, declare them in
 * {@code @ProviderInfo(settings = ...)} and read them with {@code settings()}.
 */
@ProviderInfo(
    id = "${layerId}",
    name = "${layerName}",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description = "Passes every socket operation on unchanged.")
public final class ${className} extends AbstractLayer {

  /** Creates the layer; the runtime calls this at every load. */
  public ${className}() {}

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    return new ${className}Socket(below);
  }

  /** A socket of this layer: every operation not overridden here passes through. */
  static final class ${className}Socket extends ForwardingSocket {

    ${className}Socket(ChainSocket below) {
      super(below);
    }

    @Override
    protected ChainSocket wrapAccepted(ChainSocket accepted) {
      return new ${className}Socket(accepted);
    }

    @Override
    public int send(ByteBuffer src) throws IOException {
      return super.send(src);
    }

    @Override
    public int receive(ByteBuffer dst) throws IOException {
      return super.receive(dst);
    }
  }
}
