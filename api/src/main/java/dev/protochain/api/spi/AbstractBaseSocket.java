package dev.protochain.api.spi;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A skeletal base socket: the open / closed / aborted state shared by every base socket, the
 * translation of failures caused by a close or an unload, option checking and {@link
 * ChainSocketOptions#RECEIVE_TIMEOUT}. A base author extends it next to an {@link
 * AbstractBaseProvider}, implements the transport operations of {@link ChainSocket}, {@link
 * #closeTransport} and {@link #describeTransport}, and, for options other than {@link
 * ChainSocketOptions#RECEIVE_TIMEOUT}, {@link #setTransportOption} and {@link #getTransportOption},
 * and lists its options in {@link ChainSocket#supportedOptions()}.
 *
 * <p>Lifecycle: a socket is open from its constructor until the first of {@link #close()} (by the
 * application) or its provider's unload ({@link ProviderScope#unload()}). Either one moves it out
 * of the open state under {@link #lock} and then calls {@link #closeTransport()} exactly once,
 * which releases the transport as {@code SO_LINGER} says and wakes every operation blocked in it. A
 * socket closed by the application fails later operations with {@link ClosedChannelException}; a
 * socket closed by its provider's unload fails every operation blocked in it, and every later one,
 * with {@link dev.protochain.api.ProtochainException.Code#OPERATION_ABORTED}. Subclasses call
 * {@link #ensureOpen} first in each operation and wrap each blocking call in {@code catch
 * (IOException | RuntimeException e) { throw translate(e, op); }} so that the close that woke them
 * decides what the caller sees.
 *
 * <p>This class is thread-safe, and so must subclasses be: any operation may be called from any
 * thread, a close from another thread while one blocks. {@link #lock} guards state transitions,
 * never a blocking call.
 */
public abstract class AbstractBaseSocket implements ChainSocket {

  private enum State {
    OPEN,
    CLOSED,
    ABORTED
  }

  /** Guards this socket's state and the subclass's transitions; never held while blocking. */
  protected final Object lock = new Object();

  private final ProviderScope scope;
  private volatile State state = State.OPEN;
  private volatile Duration receiveTimeout = Duration.ZERO;

  /** When its scope tracked it, in the scope's order; written once, before it is published. */
  int tracked;

  /** Creates an open socket of the provider {@code scope} describes. */
  protected AbstractBaseSocket(ProviderScope scope) {
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  /** Returns the scope of the provider that opened this socket. */
  protected final ProviderScope scope() {
    return scope;
  }

  /* ---- state ---- */

  /**
   * Fails unless the socket is open: with {@link ClosedChannelException} if the application closed
   * it, with {@code OPERATION_ABORTED} if its provider was unloaded.
   */
  protected final void ensureOpen(String operation) throws IOException {
    State s = state;
    if (s != State.OPEN) {
      throw closedFailure(s, operation, null);
    }
  }

  /** Returns whether neither the application nor an unload closed this socket. */
  protected final boolean isOpenState() {
    return state == State.OPEN;
  }

  /**
   * Returns what the caller of {@code operation} sees for failure {@code e}: the {@code
   * OPERATION_ABORTED} failure if an unload closed the socket, a {@link ClosedChannelException} if
   * the application did, otherwise {@code e} itself (a runtime exception is rethrown as it is).
   */
  protected final IOException translate(Exception e, String operation) {
    State s = state;
    if (s != State.OPEN && !(s == State.CLOSED && e instanceof ClosedChannelException)) {
      return closedFailure(s, operation, e);
    }
    if (e instanceof RuntimeException) {
      throw (RuntimeException) e;
    }
    return (IOException) e;
  }

  private IOException closedFailure(State s, String operation, Throwable cause) {
    if (s == State.ABORTED) {
      return scope.aborted(operation, this, cause);
    }
    ClosedChannelException closed = new ClosedChannelException();
    if (cause != null) {
      closed.initCause(cause);
    }
    return closed;
  }

  /** Closes the socket as {@code SO_LINGER} says; later calls do nothing. */
  @Override
  public final void close() throws IOException {
    synchronized (lock) {
      if (state != State.OPEN) {
        return;
      }
      state = State.CLOSED;
    }
    scope.forget(this);
    closeTransport();
  }

  /**
   * Closes the socket for its provider's unload: as {@code SO_LINGER} says, and marked so that
   * blocked and later operations fail with {@code OPERATION_ABORTED}. Does nothing if the socket is
   * already closed.
   */
  final void abort() throws IOException {
    synchronized (lock) {
      if (state != State.OPEN) {
        return;
      }
      state = State.ABORTED;
    }
    closeTransport();
  }

  /**
   * Releases the transport as {@code SO_LINGER} says and wakes every operation blocked in it.
   * Called once, after the state left {@link State#OPEN}, so no new transport is created after it
   * reads what to close under {@link #lock}.
   */
  protected abstract void closeTransport() throws IOException;

  @Override
  public final boolean isOpen() {
    return state == State.OPEN && isTransportOpen();
  }

  /** Returns whether the transport is still usable; a channel closed by an interrupt is not. */
  protected boolean isTransportOpen() {
    return true;
  }

  /** Does nothing but check the socket is open: a base socket holds nothing back. */
  @Override
  public void flush() throws IOException {
    ensureOpen("flush");
  }

  /* ---- options ---- */

  @Override
  public final <T> ChainSocket setOption(SocketOption<T> name, T value) throws IOException {
    Objects.requireNonNull(name, "name");
    checkSupported(name);
    checkValue(name, value);
    String operation = "setOption " + name.name();
    ensureOpen(operation);
    if (name == ChainSocketOptions.RECEIVE_TIMEOUT) {
      receiveTimeout = (Duration) value;
      return this;
    }
    try {
      setTransportOption(name, value);
    } catch (IOException | RuntimeException e) {
      throw translate(e, operation);
    }
    return this;
  }

  @Override
  public final <T> T getOption(SocketOption<T> name) throws IOException {
    Objects.requireNonNull(name, "name");
    checkSupported(name);
    String operation = "getOption " + name.name();
    ensureOpen(operation);
    if (name == ChainSocketOptions.RECEIVE_TIMEOUT) {
      return name.type().cast(receiveTimeout);
    }
    try {
      return getTransportOption(name);
    } catch (IOException | RuntimeException e) {
      throw translate(e, operation);
    }
  }

  /**
   * Sets a checked, supported option other than {@code RECEIVE_TIMEOUT}. Default: refuses it, for a
   * socket whose only option is {@code RECEIVE_TIMEOUT}.
   */
  protected <T> void setTransportOption(SocketOption<T> name, T value) throws IOException {
    throw scope.unsupportedOption(name, supportedOptions());
  }

  /**
   * Returns a supported option other than {@code RECEIVE_TIMEOUT}. Default: refuses it, for a
   * socket whose only option is {@code RECEIVE_TIMEOUT}.
   */
  protected <T> T getTransportOption(SocketOption<T> name) throws IOException {
    throw scope.unsupportedOption(name, supportedOptions());
  }

  /** Returns the receive timeout; {@link Duration#ZERO} means none. */
  protected final Duration receiveTimeout() {
    return receiveTimeout;
  }

  private void checkSupported(SocketOption<?> name) {
    if (!supportedOptions().contains(name)) {
      throw scope.unsupportedOption(name, supportedOptions());
    }
  }

  private void checkValue(SocketOption<?> name, Object value) {
    if (value == null || !name.type().isInstance(value)) {
      throw new IllegalArgumentException(
          "option '"
              + name.name()
              + "' of "
              + this
              + " cannot be "
              + (value == null ? "null" : "a " + value.getClass().getName())
              + " (expected: a "
              + name.type().getName()
              + ")");
    }
    if (name == ChainSocketOptions.RECEIVE_TIMEOUT) {
      ChainSocketOptions.checkTimeout(name, (Duration) value);
    } else if (name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) {
      if ((Integer) value <= 0) {
        throw new IllegalArgumentException(
            "option '" + name.name() + "' of " + this + " cannot be " + value + " (expected: > 0)");
      }
    } else if (name == StandardSocketOptions.SO_LINGER) {
      if ((Integer) value > 65535) {
        throw new IllegalArgumentException(
            "option 'SO_LINGER' of "
                + this
                + " cannot be "
                + value
                + " seconds (expected: negative for off, 0 for an abortive close, or 1 to 65535)");
      }
    }
  }

  /** Returns an unmodifiable set of {@code options} in the given order. */
  protected static Set<SocketOption<?>> optionSet(SocketOption<?>... options) {
    Set<SocketOption<?>> set = new LinkedHashSet<>();
    Collections.addAll(set, options);
    return Collections.unmodifiableSet(set);
  }

  /* ---- failures with context ---- */

  /** Returns the failure of {@code operation}, which the socket's state does not allow. */
  protected final IllegalStateException illegalState(String operation, String why) {
    return new IllegalStateException(operation + " on " + this + ": " + why);
  }

  /** Returns the failure of {@code operation}, which this kind of socket does not have. */
  protected final UnsupportedOperationException unsupported(String operation, String why) {
    return new UnsupportedOperationException(
        operation + " is not supported by " + scope.describe() + ": " + why + " (" + this + ")");
  }

  /**
   * Returns {@code address} as an {@link InetSocketAddress}.
   *
   * @throws IllegalArgumentException if it is another kind of address or unresolved
   */
  protected final InetSocketAddress checkInet(SocketAddress address, String operation) {
    if (address == null) { // not requireNonNull's supplier: a lambda made at every connect
      throw new NullPointerException(operation + " on " + this + ": address is null");
    }
    if (!(address instanceof InetSocketAddress)) {
      throw new IllegalArgumentException(
          operation
              + " on "
              + this
              + ": "
              + address
              + " is a "
              + address.getClass().getName()
              + " (expected: an InetSocketAddress)");
    }
    InetSocketAddress inet = (InetSocketAddress) address;
    if (inet.isUnresolved()) {
      throw new IllegalArgumentException(
          operation
              + " on "
              + this
              + ": "
              + inet.getHostString()
              + " is unresolved (expected: a resolved address)");
    }
    return inet;
  }

  /**
   * Returns {@code address} as an {@link InetSocketAddress} a channel of {@code family} can use.
   *
   * @throws IllegalArgumentException if it is another kind of address, unresolved, or IPv6 for an
   *     IPv4 family
   */
  protected final InetSocketAddress checkIp(
      SocketAddress address, StandardProtocolFamily family, String operation) {
    InetSocketAddress inet = checkInet(address, operation);
    if (family == StandardProtocolFamily.INET && inet.getAddress() instanceof Inet6Address) {
      throw new IllegalArgumentException(
          operation
              + " on "
              + this
              + ": "
              + format(inet)
              + " is an IPv6 address (expected: IPv4 for entry '"
              + scope.entry().name()
              + "')");
    }
    return inet;
  }

  /** Returns the state and addresses for {@link #toString()}: {@code listening 127.0.0.1:5000}. */
  protected abstract String describeTransport();

  /**
   * Returns {@code TcpSocket[tcp4 127.0.0.1:5000 -> 127.0.0.1:40112]}, with the state when it is
   * not connected and open: {@code TcpSocket[tcp4 listening 127.0.0.1:5000]}.
   */
  @Override
  public final String toString() {
    State s = state;
    return getClass().getSimpleName()
        + "["
        + scope.entry().name()
        + (s == State.OPEN ? "" : " " + s.name().toLowerCase(java.util.Locale.ROOT))
        + " "
        + describeTransport()
        + "]";
  }

  /* ---- helpers for subclasses ---- */

  /** Returns {@code 127.0.0.1:5000} or {@code [0:0:0:0:0:0:0:1]:5000}; {@code ?} for null. */
  protected static String format(SocketAddress address) {
    if (!(address instanceof InetSocketAddress)) {
      return String.valueOf(address == null ? "?" : address);
    }
    InetSocketAddress inet = (InetSocketAddress) address;
    String host =
        inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
    return (inet.getAddress() instanceof Inet6Address ? "[" + host + "]" : host)
        + ":"
        + inet.getPort();
  }

  /**
   * Returns {@code timeout} in whole milliseconds for {@code SO_TIMEOUT}: rounded up, at least 1.
   */
  protected static int timeoutMillis(Duration timeout) {
    if (timeout.toSeconds() >= Integer.MAX_VALUE / 1000) {
      return Integer.MAX_VALUE;
    }
    long millis = timeout.toMillis();
    if (timeout.minusMillis(millis).isZero()) {
      return (int) Math.max(1, millis);
    }
    return (int) millis + 1;
  }

  /** Returns {@code timeout} in nanoseconds, saturated; 0 still means no bound. */
  protected static long timeoutNanos(Duration timeout) {
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Checks a connect timeout: not negative. */
  protected final Duration checkConnectTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException(
          "connect on "
              + this
              + ": timeout "
              + timeout
              + " is negative (expected: ZERO for no bound, or positive)");
    }
    return timeout;
  }

  /** Returns the failure of a wait interrupted in {@code operation}, keeping the interrupt. */
  public static InterruptedIOException interrupted(String operation) {
    Thread.currentThread().interrupt();
    return new InterruptedIOException(operation + " interrupted");
  }
}
