package dev.protochain.layers.filter;

import java.net.SocketException;

/**
 * A connect, accept or sendTo the {@code filter} layer refused; the message names the layer's
 * entry, the operation, the address and the rule, as in {@code filter 'filter' (entry 2003):
 * connect to 10.1.2.3:80 refused by rule deny 10.0.0.0/8}.
 *
 * <p>It extends {@link SocketException}, so socket code handles it where it handles a refused
 * connection; a server's accept loop can catch it and go on accepting.
 */
public final class RefusedByFilterException extends SocketException {

  private static final long serialVersionUID = 1L;

  private final String rule;

  /**
   * Creates the exception with the whole message and the rule that refused, as {@code deny
   * 10.0.0.0/8}.
   */
  public RefusedByFilterException(String message, String rule) {
    super(message);
    this.rule = rule;
  }

  /**
   * Returns the rule that refused, as {@code deny 10.0.0.0/8}, or {@code allow} when the address
   * matched no rule of a non-empty allow list.
   */
  public String rule() {
    return rule;
  }
}
