package dev.protochain.api.spi;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.SocketType;
import java.io.IOException;
import java.net.SocketOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One loaded base provider instance as its sockets see it: the names used in messages, and the
 * registry of the {@link AbstractBaseSocket}s it opened or accepted that are still open. {@link
 * AbstractBaseProvider} makes one at load and tracks every socket it opens; a base author tracks
 * the sockets an accept returns with {@link #track}.
 *
 * <p>At cleanup, {@link #unload()} closes every tracked socket as its {@code SO_LINGER} says and
 * marks it aborted, so that every operation blocked in it and every later operation on it fails
 * with {@link ProtochainException.Code#OPERATION_ABORTED}; after it, {@link #track} refuses new
 * sockets the same way. A socket the application closes is forgotten.
 *
 * <p>This class is thread-safe: {@link #track} and {@link #unload()} may race from any threads.
 */
public final class ProviderScope {

  private final String providerName;
  private final CatalogEntry entry;
  private final Object lock = new Object();
  private final Set<AbstractBaseSocket> sockets = new LinkedHashSet<>(); // guarded by lock
  private boolean unloaded; // guarded by lock

  private ProviderScope(String providerName, CatalogEntry entry) {
    this.providerName = Objects.requireNonNull(providerName, "providerName");
    this.entry = Objects.requireNonNull(entry, "entry");
  }

  /**
   * Returns the scope of provider {@code providerName} loaded for {@code entry}, after checking
   * that the entry asks for what the provider serves.
   *
   * @throws IOException naming the entry, what it asks for and what the provider serves, if they
   *     differ
   */
  public static ProviderScope forEntry(
      String providerName,
      CatalogEntry entry,
      Set<AddressFamily> families,
      Set<SocketType> types,
      Protocol protocol)
      throws IOException {
    if (!families.contains(entry.family())
        || !types.contains(entry.type())
        || entry.protocol() != protocol) {
      throw new IOException(
          "provider '"
              + providerName
              + "' cannot serve "
              + entry
              + ": it asks for "
              + entry.family()
              + " "
              + entry.type()
              + " "
              + entry.protocol()
              + " (expected: family "
              + join(families)
              + ", type "
              + join(types)
              + ", protocol "
              + protocol
              + ")");
    }
    return new ProviderScope(providerName, entry);
  }

  private static String join(Set<? extends Enum<?>> values) {
    return values.stream().map(Enum::name).collect(Collectors.joining(" or "));
  }

  /** Returns the entry the provider was loaded for. */
  public CatalogEntry entry() {
    return entry;
  }

  /** Returns {@code provider 'tcp' for entry 1001 'tcp4'}. */
  public String describe() {
    return "provider '" + providerName + "' for entry " + entry.id() + " '" + entry.name() + "'";
  }

  /**
   * Starts tracking {@code socket} so that {@link #unload()} closes it.
   *
   * @param operation what created the socket, for the message if the provider is unloaded
   * @throws ProtochainException with {@link ProtochainException.Code#OPERATION_ABORTED} if the
   *     provider is already unloaded; the caller then releases what the socket holds
   */
  public void track(AbstractBaseSocket socket, String operation) throws ProtochainException {
    synchronized (lock) {
      if (!unloaded) {
        sockets.add(socket);
        return;
      }
    }
    throw aborted(operation, socket, null);
  }

  /** Stops tracking a socket the application closed; harmless if it is not tracked. */
  void forget(AbstractBaseSocket socket) {
    synchronized (lock) {
      sockets.remove(socket);
    }
  }

  /**
   * Closes every tracked socket as its linger option says and marks it aborted; later calls do
   * nothing. Every socket is closed even if closing one fails.
   *
   * @throws IOException if closing some socket failed: the first failure, the others suppressed
   */
  public void unload() throws IOException {
    List<AbstractBaseSocket> open;
    synchronized (lock) {
      if (unloaded) {
        return;
      }
      unloaded = true;
      open = new ArrayList<>(sockets);
      sockets.clear();
    }
    IOException failure = null;
    for (AbstractBaseSocket socket : open) {
      try {
        socket.abort();
      } catch (IOException | RuntimeException e) {
        if (failure == null) {
          failure =
              new IOException(
                  "unload of "
                      + describe()
                      + ": closing "
                      + socket
                      + " failed ("
                      + open.size()
                      + " sockets were open)",
                  e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Returns the failure of {@code operation} on {@code socket}, ended by this provider's unload.
   */
  ProtochainException aborted(String operation, Object socket, Throwable cause) {
    return new ProtochainException(
        ProtochainException.Code.OPERATION_ABORTED,
        operation + " aborted: " + describe() + " was unloaded (" + socket + ")",
        cause);
  }

  /** Returns the failure of setting or reading an option no socket of this provider supports. */
  UnsupportedOperationException unsupportedOption(
      SocketOption<?> option, Set<SocketOption<?>> supported) {
    return new UnsupportedOperationException(
        "option '"
            + option.name()
            + "' is not supported by "
            + describe()
            + " (supported: "
            + supported.stream().map(SocketOption::name).collect(Collectors.joining(", "))
            + ")");
  }

  /**
   * Returns {@code provider 'tcp' for entry 1001 'tcp4' (2 open sockets)} or {@code (unloaded)}.
   */
  @Override
  public String toString() {
    synchronized (lock) {
      return describe() + (unloaded ? " (unloaded)" : " (" + sockets.size() + " open sockets)");
    }
  }
}
