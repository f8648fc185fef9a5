package dev.protochain.api;

import java.net.SocketOption;
import java.time.Duration;

/**
 * Socket options of protochain beyond {@link java.net.StandardSocketOptions}.
 *
 * <p>Every socket supports {@link #RECEIVE_TIMEOUT}; {@code SO_LINGER} from the standard options
 * decides how {@link ChainSocket#close()} behaves.
 */
public final class ChainSocketOptions {

  /**
   * How long {@link ChainSocket#receive}, {@link ChainSocket#receiveFrom} and {@link
   * ChainSocket#accept} wait before failing with {@link java.net.SocketTimeoutException}; {@link
   * Duration#ZERO} (the default) waits without bound [{@code SO_RCVTIMEO}].
   */
  public static final SocketOption<Duration> RECEIVE_TIMEOUT =
      new Option<>("RECEIVE_TIMEOUT", Duration.class);

  private ChainSocketOptions() {}

  /**
   * Creates a socket option with a name and value type, for layers that define their own. Options
   * are compared by identity, so keep the one instance in a constant.
   */
  public static <T> SocketOption<T> create(String name, Class<T> type) {
    return new Option<>(name, type);
  }

  /**
   * Checks {@code value} as a timeout: not negative.
   *
   * @throws IllegalArgumentException if it is negative
   */
  public static Duration checkTimeout(SocketOption<?> option, Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(option.name() + " must not be negative: " + value);
    }
    return value;
  }

  private static final class Option<T> implements SocketOption<T> {
    private final String name;
    private final Class<T> type;

    Option(String name, Class<T> type) {
      this.name = name;
      this.type = type;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Class<T> type() {
      return type;
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
