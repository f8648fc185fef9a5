package dev.protochain.api.spi;

import dev.protochain.api.ChainSocket;
import java.io.IOException;

/**
 * A provider at the bottom of every chain, talking to a real transport [a Winsock base service
 * provider]. It receives its own base entry and never sees the chains above it.
 *
 * <p>See {@link Provider} for the lifecycle.
 */
public interface BaseProvider extends Provider {

  /** Opens an unbound, unconnected socket of this provider's entry type. */
  ChainSocket open(StartupContext context) throws IOException;
}
