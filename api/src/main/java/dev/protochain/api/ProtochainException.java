package dev.protochain.api;

import java.io.IOException;
import java.util.Objects;

/**
 * An environmental failure a caller can react to, with a {@link Code} named after its Winsock
 * counterpart.
 *
 * <p>It extends {@link IOException} so that socket code handles it in the {@code catch} it already
 * has. Programming errors are not reported this way: they are the JDK's unchecked types ({@link
 * IllegalArgumentException}, {@link IllegalStateException} and {@link NotInitialisedException}).
 * The message always names what failed and why.
 */
public class ProtochainException extends IOException {

  private static final long serialVersionUID = 1L;

  /** What kind of failure this is, with the Winsock error it corresponds to. */
  public enum Code {
    /** No version in the requested range is supported [{@code WSAVERNOTSUPPORTED}]. */
    VERSION_NOT_SUPPORTED("WSAVERNOTSUPPORTED"),
    /** A provider failed to load or to initialise [{@code WSAEPROVIDERFAILEDINIT}]. */
    PROVIDER_FAILED_INIT("WSAEPROVIDERFAILEDINIT"),
    /**
     * A provider is unusable as installed: a bad descriptor, a missing class, a digest that differs
     * from the one recorded at install [{@code WSAEINVALIDPROVIDER}].
     */
    INVALID_PROVIDER("WSAEINVALIDPROVIDER"),
    /**
     * No catalog entry matches the requested family, type and protocol, id or name [{@code
     * WSAEPROTONOSUPPORT}].
     */
    NO_MATCHING_ENTRY("WSAEPROTONOSUPPORT"),
    /**
     * The catalog is unreadable or inconsistent; the message lists every problem [{@code
     * WSANO_RECOVERY}].
     */
    CATALOG_INVALID("WSANO_RECOVERY"),
    /** Another process holds the catalog lock [{@code WSATRY_AGAIN}]. */
    CATALOG_BUSY("WSATRY_AGAIN"),
    /**
     * A pending operation was ended by the provider's final cleanup [{@code
     * WSA_OPERATION_ABORTED}].
     */
    OPERATION_ABORTED("WSA_OPERATION_ABORTED");

    private final String winsockName;

    Code(String winsockName) {
      this.winsockName = winsockName;
    }

    /** Returns the name of the corresponding Winsock error, such as {@code WSAVERNOTSUPPORTED}. */
    public String winsockName() {
      return winsockName;
    }
  }

  private final Code code;

  /** Creates an exception with a code and a message naming what failed and why. */
  public ProtochainException(Code code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Creates an exception with a code, a message and the underlying cause. */
  public ProtochainException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Returns the code. */
  public Code code() {
    return code;
  }

  /** Returns whether {@code t} is a {@code ProtochainException} with {@code code}. */
  public static boolean hasCode(Throwable t, Code code) {
    return t instanceof ProtochainException && ((ProtochainException) t).code == code;
  }
}
