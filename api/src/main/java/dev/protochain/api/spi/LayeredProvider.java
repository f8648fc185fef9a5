package dev.protochain.api.spi;

import dev.protochain.api.ChainSocket;
import java.io.IOException;

/**
 * A provider that sits over the next provider of a chain and transforms or observes what passes [a
 * Winsock layered service provider].
 *
 * <p>The runtime starts the provider below for every startup of this one, with the version range
 * from this provider's lowest supported version to the version it negotiated, and cleans it up
 * after every cleanup of this one; see {@link Provider} for the order. A layer never starts or
 * cleans up what is below it itself.
 *
 * <p>Most layers extend {@link AbstractLayer}.
 */
public interface LayeredProvider extends Provider {

  /**
   * Returns this layer's socket over {@code below}, a socket just opened through the rest of the
   * chain. Sockets accepted by a listening socket of this layer are wrapped by that socket (see
   * {@link ForwardingSocket#wrapAccepted}).
   *
   * <p>If this method throws, the runtime closes {@code below}.
   */
  ChainSocket wrap(ChainSocket below, StartupContext context) throws IOException;
}
