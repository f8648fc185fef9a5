package dev.protochain.api;

import java.io.Closeable;
import java.io.IOException;

/**
 * What one startup returns [Winsock {@code WSPStartup}]: the negotiated version and the means to
 * open sockets over the entry it was started for. Closing it is the matching cleanup [{@code
 * WSPCleanup}].
 *
 * <p>A session keeps every provider of its chain started: each provider's count includes it. {@link
 * #close()} performs one cleanup, which cascades down the chain, top first; a provider whose count
 * reaches 0 finishes sending what it holds, closes its sockets and is unloaded. Closing a session
 * twice is harmless. Sockets opened through a session stay usable after it closes while their
 * providers remain started by other sessions, as in Winsock.
 *
 * <pre>{@code
 * try (Session session = runtime.startup(AddressFamily.INET, SocketType.STREAM, Protocol.TCP)) {
 *   try (ChainSocket socket = session.open()) {
 *     socket.connect(new InetSocketAddress("127.0.0.1", port));
 *     socket.sendFully(ByteBuffer.wrap(bytes));
 *   }
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe.
 */
public interface Session extends Closeable {

  /** Returns the entry this session was started for: a base entry or a chain. */
  CatalogEntry entry();

  /** Returns the version negotiated with the top provider. */
  Version version();

  /**
   * Opens a socket of the entry's type, unbound and unconnected.
   *
   * @throws NotInitialisedException if the session is closed
   */
  ChainSocket open() throws IOException;

  /** Returns whether the session is still open. */
  boolean isOpen();

  /**
   * Performs the matching cleanup, once; later calls do nothing. If cleanups along the chain fail,
   * every one still runs and the first failure is thrown with the others suppressed.
   */
  @Override
  void close() throws IOException;
}
