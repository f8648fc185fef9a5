package dev.protochain.api;

/**
 * A cleanup without a matching startup, or an operation on a session already cleaned up [Winsock
 * {@code WSANOTINITIALISED}].
 *
 * <p>This is a programming error and so unchecked. The message names the provider or session and
 * the count, as in {@code provider 'trace' (entry 2001): count 0, cleanup 1}; nothing was changed.
 */
public final class NotInitialisedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the provider or session and its count. */
  public NotInitialisedException(String message) {
    super(message);
  }
}
