package dev.protochain.runtime.testing;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.ForwardingSocket;
import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.api.spi.StartupContext;
import java.io.IOException;

/**
 * A pass-through layer that records each hook in a {@link Recorder}, fails where told, and flags
 * any hook that reaches it while it is not loaded. It implements the SPI directly, so that every
 * hook, {@code drain} included, is a failure point.
 */
public final class RecordingLayer extends RecordingProvider implements LayeredProvider {

  /** Creates the layer; its constructor is a failure point too. */
  public RecordingLayer(String name, Recorder recorder) {
    super(name, recorder);
  }

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) throws IOException {
    checkLoaded("wrap");
    recorder.hook(name, Phase.OPEN);
    return new FailingSocket(below, name, recorder);
  }

  /** A pass-through socket whose {@code send} fails when the recorder says so. */
  static final class FailingSocket extends ForwardingSocket {
    private final String name;
    private final Recorder recorder;

    FailingSocket(ChainSocket below, String name, Recorder recorder) {
      super(below);
      this.name = name;
      this.recorder = recorder;
    }

    @Override
    protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
      return new FailingSocket(acceptedBelow, name, recorder);
    }

    @Override
    public int send(java.nio.ByteBuffer src) throws IOException {
      recorder.fault(name, Phase.SEND);
      return super.send(src);
    }
  }
}
