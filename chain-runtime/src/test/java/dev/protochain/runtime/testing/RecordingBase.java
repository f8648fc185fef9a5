package dev.protochain.runtime.testing;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.spi.BaseProvider;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.StartupContext;
import dev.protochain.base.InMemoryProvider;
import java.io.IOException;

/**
 * A base provider that records each hook in a {@link Recorder} and fails where told; its sockets
 * are real in-memory sockets of an {@link InMemoryProvider} it loads and unloads with itself.
 */
public final class RecordingBase extends RecordingProvider implements BaseProvider {

  private final InMemoryProvider sockets = new InMemoryProvider();

  /** Creates the base; its constructor is a failure point too. */
  public RecordingBase(String name, Recorder recorder) {
    super(name, recorder);
  }

  @Override
  public void load(ProviderContext context) throws IOException {
    super.load(context);
    sockets.load(context);
  }

  @Override
  public ChainSocket open(StartupContext context) throws IOException {
    checkLoaded("open");
    recorder.hook(name, Phase.OPEN);
    return new RecordingLayer.FailingSocket(sockets.open(context), name, recorder);
  }

  @Override
  public void unload() throws IOException {
    try {
      sockets.unload();
    } finally {
      super.unload();
    }
  }
}
