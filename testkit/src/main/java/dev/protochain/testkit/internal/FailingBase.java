package dev.protochain.testkit.internal;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.BaseProvider;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.StartupContext;
import java.io.IOException;

/** A base provider that always fails to load, so that a startup over it must roll back. */
@ProviderInfo(
    id = "2732a8a2-2c7b-4957-97ed-aea3fa2735c0",
    name = "testkit-failing-base",
    kind = EntryKind.BASE,
    description = "A base of the testkit that always fails to load.")
public final class FailingBase implements BaseProvider {

  /** The message of the failure its load throws. */
  public static final String FAILURE = "testkit-failing-base refuses to load (as designed)";

  /** Creates the provider. */
  public FailingBase() {}

  @Override
  public void load(ProviderContext context) throws IOException {
    throw new IOException(FAILURE);
  }

  @Override
  public ChainSocket open(StartupContext context) {
    throw new IllegalStateException("testkit-failing-base never loads, so never opens");
  }

  @Override
  public void unload() {}
}
