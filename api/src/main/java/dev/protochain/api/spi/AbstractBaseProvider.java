package dev.protochain.api.spi;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.Protocol;
import dev.protochain.api.SocketType;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A skeletal {@link BaseProvider}: checks the entry it is loaded for, opens and tracks sockets, and
 * closes them at unload. A base author extends it with a constructor naming what the provider
 * serves and one method, {@link #openSocket}, returning an {@link AbstractBaseSocket}.
 *
 * <p>Lifecycle, in the order of {@link Provider}: {@link #load} checks that the entry asks for a
 * family, type and protocol this provider serves (else an {@link IOException} naming both), then
 * calls {@link #onLoad}, then publishes the {@link ProviderScope}; {@link #open} calls {@link
 * #openSocket} and tracks the socket in the scope; {@link #unload} closes every socket still open
 * as its {@code SO_LINGER} says, completes every operation blocked in them (and every later one)
 * with {@link dev.protochain.api.ProtochainException.Code#OPERATION_ABORTED}, refuses later opens
 * the same way, and then calls {@link #onUnload}. An instance is loaded once; the runtime makes a
 * fresh one for the next load.
 *
 * <p>This class is thread-safe: {@link #open} may be called from any thread, also while {@link
 * #unload} runs; a socket opened then is closed and its open fails with {@code OPERATION_ABORTED}.
 */
public abstract class AbstractBaseProvider implements BaseProvider {

  private final String name;
  private final Set<AddressFamily> families;
  private final Set<SocketType> types;
  private final Protocol protocol;
  private ProviderScope scope; // guarded by this

  /**
   * Creates an unloaded provider named {@code name} (used in every message) serving entries of one
   * of {@code families}, one of {@code types} and {@code protocol}.
   */
  protected AbstractBaseProvider(
      String name, Set<AddressFamily> families, Set<SocketType> types, Protocol protocol) {
    this.name = Objects.requireNonNull(name, "name");
    this.families = Collections.unmodifiableSet(EnumSet.copyOf(families));
    this.types = Collections.unmodifiableSet(EnumSet.copyOf(types));
    this.protocol = Objects.requireNonNull(protocol, "protocol");
  }

  /**
   * Checks the entry, runs {@link #onLoad} and makes the provider ready to open sockets.
   *
   * @throws IOException naming the entry, what it asks for and what this provider serves, if they
   *     differ; or what {@link #onLoad} threw
   * @throws IllegalStateException if already loaded
   */
  @Override
  public final void load(ProviderContext context) throws IOException {
    ProviderScope loaded = ProviderScope.forEntry(name, context.entry(), families, types, protocol);
    synchronized (this) {
      if (scope != null) {
        throw new IllegalStateException(
            "provider '"
                + name
                + "' is already loaded for "
                + scope.entry()
                + "; cannot load it for "
                + loaded.entry()
                + " (expected: one load per instance)");
      }
    }
    onLoad(context, loaded);
    synchronized (this) {
      scope = loaded;
    }
  }

  /**
   * Reads settings and creates what every socket shares; called once by {@link #load}, after the
   * entry was checked and before any {@link #openSocket}. Does nothing unless overridden.
   */
  protected void onLoad(ProviderContext context, ProviderScope scope) throws IOException {}

  /**
   * Opens a socket through {@link #openSocket} and tracks it so that {@link #unload} closes it.
   *
   * @throws IllegalStateException if the provider is not loaded
   * @throws dev.protochain.api.ProtochainException with {@code OPERATION_ABORTED} if it was
   *     unloaded
   */
  @Override
  public final ChainSocket open(StartupContext context) throws IOException {
    ProviderScope s = scope();
    AbstractBaseSocket socket = openSocket(s, context);
    try {
      s.track(socket, "open");
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return socket;
  }

  /**
   * Returns a new unbound, unconnected socket of {@code scope}'s entry; {@link #open} tracks it.
   * Called from any thread.
   */
  protected abstract AbstractBaseSocket openSocket(ProviderScope scope, StartupContext context)
      throws IOException;

  /**
   * Closes every socket still open, ends the operations blocked in them, then runs {@link
   * #onUnload}; later calls close nothing more. Does nothing to sockets if never loaded.
   */
  @Override
  public final void unload() throws IOException {
    ProviderScope s;
    synchronized (this) {
      s = scope;
    }
    try {
      if (s != null) {
        s.unload();
      }
    } finally {
      onUnload();
    }
  }

  /**
   * Frees what {@link #onLoad} created; called by every {@link #unload}, after the sockets were
   * closed, even if closing one failed. Does nothing unless overridden.
   */
  protected void onUnload() throws IOException {}

  /**
   * Returns the scope; after {@link #unload} it refuses new sockets with {@code OPERATION_ABORTED}.
   *
   * @throws IllegalStateException if the provider is not loaded
   */
  protected final synchronized ProviderScope scope() {
    if (scope == null) {
      throw new IllegalStateException(
          "provider '" + name + "' is not loaded (expected: load before open)");
    }
    return scope;
  }

  /** Returns {@code TcpProvider[provider 'tcp' for entry 1001 'tcp4' (2 open sockets)]}. */
  @Override
  public final synchronized String toString() {
    return getClass().getSimpleName()
        + "["
        + (scope == null ? "provider '" + name + "' (not loaded)" : scope.toString())
        + "]";
  }
}
