package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.NotInitialisedException;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.Version;
import dev.protochain.api.spi.BaseProvider;
import dev.protochain.api.spi.LayeredProvider;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** One startup's session: the started levels of its chain, top first. Thread-safe. */
final class RealSession implements Session {

  private final RealChainRuntime runtime;
  private final CatalogEntry entry;
  private final Version version;
  private final long sequence;
  private static final int CLOSED = 1 << 30;
  // The CLOSED bit, plus the number of opens in flight. The cleanup sets the bit and then waits for
  // the opens in flight, so no provider is asked to open or wrap a socket after the session's
  // cleanup has begun, and an open that starts later sees the bit.
  private final AtomicInteger state = new AtomicInteger();
  // Dropped at close, so that a closed session kept by the application pins no provider instance
  // (and so no plugin class loader).
  private volatile Level top;
  private volatile Level[] bottomUp;

  RealSession(RealChainRuntime runtime, CatalogEntry entry, Level top, long sequence) {
    this.runtime = runtime;
    this.sequence = sequence;
    this.entry = entry;
    this.version = top.context().version();
    this.top = top;
    int depth = 0;
    for (Level l = top; l != null; l = l.below()) {
      depth++;
    }
    Level[] levels = new Level[depth];
    for (Level l = top; l != null; l = l.below()) {
      levels[--depth] = l;
    }
    this.bottomUp = levels;
  }

  long sequence() {
    return sequence;
  }

  @Override
  public CatalogEntry entry() {
    return entry;
  }

  @Override
  public Version version() {
    return version;
  }

  @Override
  public ChainSocket open() throws IOException {
    if (state.incrementAndGet() >= CLOSED) {
      state.decrementAndGet();
      throw new NotInitialisedException("session of " + entry + " was cleaned up: count 0, open 1");
    }
    try {
      return openLocked();
    } finally {
      state.decrementAndGet();
    }
  }

  private ChainSocket openLocked() throws IOException {
    Level[] bottomUp = this.bottomUp;
    if (bottomUp == null) {
      throw new NotInitialisedException("session of " + entry + " was cleaned up: count 0, open 1");
    }
    Level base = bottomUp[0];
    ChainSocket socket;
    try {
      socket = ((BaseProvider) base.provider()).open(base.context());
    } catch (IOException | RuntimeException e) {
      throw openFailed(base, e);
    }
    if (socket == null) {
      throw new IllegalStateException(
          base.slot().describe() + " returned no socket from open(); chain " + entry);
    }
    for (int i = 1; i < bottomUp.length; i++) {
      Level l = bottomUp[i];
      ChainSocket wrapped;
      try {
        wrapped = ((LayeredProvider) l.provider()).wrap(socket, l.context());
      } catch (IOException | RuntimeException e) {
        ProtochainException failure = openFailed(l, e);
        closeQuietly(socket, failure);
        throw failure;
      } catch (Error e) {
        closeQuietly(socket, e);
        throw e;
      }
      if (wrapped == null) {
        IllegalStateException e =
            new IllegalStateException(
                "layer '"
                    + l.slot().entry().name()
                    + "' (entry "
                    + l.slot().entry().id()
                    + ") returned no socket from wrap(); chain "
                    + entry.chain());
        closeQuietly(socket, e);
        throw e;
      }
      socket = wrapped;
    }
    return runtime.register(new RealChainSocket(runtime, entry, socket, null));
  }

  /** Names the entry, the provider, its depth and the phase of a failed open; keeps the cause. */
  private ProtochainException openFailed(Level l, Exception e) {
    if (e instanceof ProtochainException
        && ((ProtochainException) e).code() == ProtochainException.Code.OPERATION_ABORTED) {
      return (ProtochainException) e;
    }
    Throwable cause = l.slot().detach(e);
    return new ProtochainException(
        ProtochainException.Code.PROVIDER_FAILED_INIT,
        "open of a socket on "
            + entry
            + ": "
            + l.slot().describe()
            + " at depth "
            + l.context().depth()
            + " failed to "
            + (l.below() == null ? "open" : "wrap")
            + " it: "
            + cause,
        cause);
  }

  private static void closeQuietly(ChainSocket socket, Throwable primary) {
    try {
      socket.close();
    } catch (IOException | RuntimeException e) {
      primary.addSuppressed(e);
    }
  }

  @Override
  public boolean isOpen() {
    return state.get() < CLOSED;
  }

  @Override
  public void close() throws IOException {
    int s;
    do {
      s = state.get();
      if (s >= CLOSED) {
        return;
      }
    } while (!state.compareAndSet(s, s + CLOSED));
    awaitOpensInFlight();
    runtime.closed(this);
    Level levels = top;
    top = null;
    bottomUp = null;
    List<Throwable> failures = runtime.cleanup(levels);
    if (!failures.isEmpty()) {
      Throwable first = failures.get(0);
      ProtochainException e =
          first instanceof ProtochainException
              ? (ProtochainException) first
              : new ProtochainException(
                  ProtochainException.Code.PROVIDER_FAILED_INIT,
                  "cleanup of " + entry + " failed: " + first,
                  first);
      for (int i = 1; i < failures.size(); i++) {
        e.addSuppressed(failures.get(i));
      }
      throw e;
    }
  }

  private void awaitOpensInFlight() {
    for (int spins = 0; state.get() != CLOSED; spins++) {
      if (spins < 100) {
        Thread.onSpinWait();
      } else {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return; // the opens in flight will see the bit on their next call
        }
      }
    }
  }

  /** Returns {@code Session[entry 3001 'x' (chain [...]) v2.2 open]}. */
  @Override
  public String toString() {
    return "Session[" + entry + " v" + version() + (isOpen() ? " open" : " closed") + "]";
  }
}
