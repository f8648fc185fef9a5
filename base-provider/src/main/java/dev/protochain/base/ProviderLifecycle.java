package dev.protochain.base;

import dev.protochain.base.internal.ProviderScope;
import java.io.IOException;

/**
 * The load state one base provider instance shares with its sockets: unloaded until {@link #load},
 * then its {@link ProviderScope}, unloaded for good after {@link #unload}.
 *
 * <p>This class is thread-safe.
 */
final class ProviderLifecycle {

  private final String providerName;
  private ProviderScope scope; // guarded by this

  ProviderLifecycle(String providerName) {
    this.providerName = providerName;
  }

  /**
   * Records the scope of the entry the provider was loaded for.
   *
   * @throws IllegalStateException if the provider was loaded before
   */
  synchronized void load(ProviderScope loaded) {
    if (scope != null) {
      throw new IllegalStateException(
          "provider '"
              + providerName
              + "' is already loaded for "
              + scope.entry()
              + "; cannot load it for "
              + loaded.entry()
              + " (expected: one load per instance)");
    }
    scope = loaded;
  }

  /**
   * Returns the scope; after {@link #unload} it refuses new sockets with {@code OPERATION_ABORTED}.
   *
   * @throws IllegalStateException if the provider is not loaded
   */
  synchronized ProviderScope scope() {
    if (scope == null) {
      throw new IllegalStateException(
          "provider '" + providerName + "' is not loaded (expected: load before open)");
    }
    return scope;
  }

  /** Unloads the scope, closing its sockets; does nothing if never loaded or already unloaded. */
  void unload() throws IOException {
    ProviderScope s;
    synchronized (this) {
      s = scope;
    }
    if (s != null) {
      s.unload();
    }
  }

  @Override
  public synchronized String toString() {
    return scope == null ? "provider '" + providerName + "' (not loaded)" : scope.toString();
  }
}
