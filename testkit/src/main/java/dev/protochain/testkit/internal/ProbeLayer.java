package dev.protochain.testkit.internal;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ForwardingSocket;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import java.io.IOException;

/**
 * A pass-through layer the kit stacks above the layer under test, so that counts, the cleanup
 * cascade and rollback are seen at three depths; with {@code fail=true} its startup fails.
 */
@ProviderInfo(
    id = "4114f218-7cd0-4c6f-823e-76cccc267480",
    name = "testkit-probe",
    kind = EntryKind.LAYER,
    description = "A pass-through layer of the testkit; fails its startup when told to.",
    settings =
        @SettingInfo(name = "fail", defaultValue = "false", description = "whether startup fails"))
public final class ProbeLayer extends AbstractLayer {

  /** The message of the failure a failing probe's startup throws. */
  public static final String FAILURE = "testkit-probe fails its startup (as configured)";

  /** Creates the layer. */
  public ProbeLayer() {}

  @Override
  public void startup(StartupContext context) throws IOException {
    if (settings().getBoolean("fail")) {
      throw new IOException(FAILURE);
    }
  }

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
