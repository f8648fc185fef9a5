package dev.protochain.api.spi;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.SocketType;
import java.io.IOException;
import java.net.SocketOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
  // Lock-free: thousands of sockets may open at once, and a lock here queued them all (on JDK 21
  // and later a virtual thread blocked on a monitor parks). A track racing the unload is settled
  // by the order of its add and its read of the flag; see track and unload.
  private final Set<AbstractBaseSocket> sockets = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object(); // one unload wins
  private final AtomicInteger tracks = new AtomicInteger();
  private volatile boolean unloaded;

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
    socket.tracked = tracks.incrementAndGet();
    sockets.add(socket);
    if (!unloaded) {
      // Added before the flag was read unset: the unload, which sets the flag before it walks
      // the set, sees the socket.
      return;
    }
    // The unload began: either it already took the socket and aborts it, or the socket is taken
    // back here; the caller releases it either way.
    sockets.remove(socket);
    throw aborted(operation, socket, null);
  }

  /** Stops tracking a socket the application closed; harmless if it is not tracked. */
  void forget(AbstractBaseSocket socket) {
    sockets.remove(socket);
  }

  /**
   * Closes every tracked socket as its linger option says and marks it aborted; later calls do
   * nothing. Every socket is closed even if closing one fails.
   *
   * @throws IOException if closing some socket failed: the first failure, the others suppressed
   */
  public void unload() throws IOException {
    synchronized (lock) {
      if (unloaded) {
        return;
      }
      unloaded = true;
    }
    List<AbstractBaseSocket> open = new ArrayList<>();
    for (AbstractBaseSocket socket : sockets) {
      if (sockets.remove(socket)) { // not taken back by a track that saw the flag
        open.add(socket);
      }
    }
    // In the order they were tracked, as they opened: a client is closed before the connection
    // its listener accepted from it, so that a receive blocked in the client is ended by its own
    // socket's abort, not by the end of stream its peer's close would send first.
    open.sort(Comparator.comparingInt(s -> s.tracked));
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
    return describe() + (unloaded ? " (unloaded)" : " (" + sockets.size() + " open sockets)");
  }
}
