package dev.protochain.api;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;

/**
 * A socket made through a session: a base provider's socket, or a layer's socket wrapping the
 * socket of the provider below it.
 *
 * <h2>Blocking and timeouts</h2>
 *
 * Every operation blocks until it can make progress. {@link #receive}, {@link #receiveFrom} and
 * {@link #accept} give up after {@link ChainSocketOptions#RECEIVE_TIMEOUT} with a {@link
 * java.net.SocketTimeoutException}; {@link #connect(SocketAddress, Duration)} takes its own bound.
 * A zero duration means no bound.
 *
 * <h2>Partial writes and reads</h2>
 *
 * {@link #send} may accept fewer bytes than remain in its buffer (a layer may cut writes short) and
 * {@link #receive} returns whatever is available; callers loop, or use {@link #sendFully}.
 *
 * <h2>Closing</h2>
 *
 * {@link #close} is graceful unless {@link java.net.StandardSocketOptions#SO_LINGER} is set to 0,
 * in which case it is abortive and the peer sees a reset. A graceful close with linger off returns
 * at once; a layer may still hold bytes it delivers later, at the latest at its provider's final
 * cleanup. Closing twice is harmless.
 *
 * <h2>Errors</h2>
 *
 * Operations fail with {@link IOException}s; an operation ended by the provider's final cleanup
 * fails with {@link ProtochainException.Code#OPERATION_ABORTED}, exactly once. Operations on a
 * closed socket fail with {@link java.nio.channels.ClosedChannelException}.
 *
 * <h2>What does not apply</h2>
 *
 * {@link #sendTo} and {@link #receiveFrom} on a stream socket, and {@link #listen}, {@link
 * #accept}, {@link #shutdownInput} and {@link #shutdownOutput} on a datagram socket, throw {@link
 * UnsupportedOperationException}. {@link #send} and {@link #receive} on a stream socket that is not
 * connected throw {@link IllegalStateException}; {@link #receive} on an unconnected datagram socket
 * takes a datagram from anyone.
 *
 * <h2>Threads</h2>
 *
 * One thread may send while another receives, and {@link #close} may be called from any thread;
 * concurrent sends (or concurrent receives) on one stream socket are not ordered.
 */
public interface ChainSocket extends Closeable {

  /** Returns the socket type, which is that of the entry it was opened for. */
  SocketType type();

  /**
   * Binds the socket to a local address; {@code null} or port 0 asks for an ephemeral one. A
   * provider whose transport only binds when it listens or connects (TCP over NIO) may defer the
   * checks to {@link #listen} or {@link #connect}, and until then reports the requested address as
   * {@link #localAddress()}.
   *
   * @throws IOException if the address is in use or not local
   */
  void bind(SocketAddress local) throws IOException;

  /**
   * Makes a stream socket listen for connections with the given backlog (0 for the default).
   *
   * @throws UnsupportedOperationException if this is a datagram socket
   */
  void listen(int backlog) throws IOException;

  /**
   * Waits for and returns the next connection of a listening socket, itself a socket of the same
   * chain.
   *
   * @throws java.net.SocketTimeoutException if {@link ChainSocketOptions#RECEIVE_TIMEOUT} elapses
   * @throws IllegalStateException if the socket is not listening
   */
  ChainSocket accept() throws IOException;

  /**
   * Connects to {@code remote}, giving up after {@code timeout} ({@link Duration#ZERO} for no
   * bound). For a datagram socket this only fixes the peer of {@link #send} and {@link #receive}.
   *
   * @throws java.net.ConnectException if the peer refuses
   * @throws java.net.SocketTimeoutException if the timeout elapses
   */
  void connect(SocketAddress remote, Duration timeout) throws IOException;

  /**
   * Connects to {@code remote} without a time bound; see {@link #connect(SocketAddress, Duration)}.
   */
  default void connect(SocketAddress remote) throws IOException {
    connect(remote, Duration.ZERO);
  }

  /**
   * Sends bytes from {@code src}, blocking until at least one is accepted (unless {@code src} is
   * empty), and returns how many were; {@code src}'s position advances by that number. On a
   * datagram socket, sends one datagram to the connected peer.
   */
  int send(ByteBuffer src) throws IOException;

  /**
   * Receives bytes into {@code dst}, blocking until at least one is available, and returns how many
   * were, or -1 at the end of the stream. On a datagram socket, receives one datagram from the
   * connected peer, truncated to fit.
   */
  int receive(ByteBuffer dst) throws IOException;

  /** Sends one datagram to {@code target} and returns its length. */
  int sendTo(ByteBuffer src, SocketAddress target) throws IOException;

  /**
   * Receives one datagram into {@code dst}, truncated to fit, and returns its sender.
   *
   * @throws java.net.SocketTimeoutException if {@link ChainSocketOptions#RECEIVE_TIMEOUT} elapses
   */
  SocketAddress receiveFrom(ByteBuffer dst) throws IOException;

  /**
   * Pushes out what the socket's layers hold back (a coalescing layer's small writes, a compressing
   * layer's pending block) and returns once it was handed to the provider below. A base socket has
   * nothing to flush.
   */
  void flush() throws IOException;

  /** Ends the input side: further receives see the end of the stream. */
  void shutdownInput() throws IOException;

  /** Flushes and then ends the output side: the peer sees the end of the stream. */
  void shutdownOutput() throws IOException;

  /** Closes the socket as {@link java.net.StandardSocketOptions#SO_LINGER} says; see above. */
  @Override
  void close() throws IOException;

  /**
   * Returns whether the socket is still open, that is, not closed by the application or a cleanup.
   */
  boolean isOpen();

  /**
   * Sets a socket option: a {@link java.net.StandardSocketOptions} option, one of {@link
   * ChainSocketOptions}, or an option a layer defines.
   *
   * @throws UnsupportedOperationException if no provider in the chain supports the option
   * @throws IllegalArgumentException if the value is not valid for the option
   */
  <T> ChainSocket setOption(SocketOption<T> name, T value) throws IOException;

  /**
   * Returns the value of a socket option.
   *
   * @throws UnsupportedOperationException if no provider in the chain supports the option
   */
  <T> T getOption(SocketOption<T> name) throws IOException;

  /** Returns the options this socket supports, its layers' and the base's. */
  Set<SocketOption<?>> supportedOptions();

  /** Returns the local address, or {@code null} if the socket is not bound. */
  SocketAddress localAddress() throws IOException;

  /** Returns the peer's address, or {@code null} if the socket is not connected. */
  SocketAddress remoteAddress() throws IOException;

  /** Sends every remaining byte of {@code src}, looping over {@link #send}. */
  default void sendFully(ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      send(src);
    }
  }

  /**
   * Receives until {@code dst} is full, looping over {@link #receive}, and returns whether it is;
   * {@code false} means the stream ended first.
   */
  default boolean receiveFully(ByteBuffer dst) throws IOException {
    while (dst.hasRemaining()) {
      if (receive(dst) < 0) {
        return false;
      }
    }
    return true;
  }
}
