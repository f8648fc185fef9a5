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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/** One startup's session: the chain it started. Thread-safe. */
final class RealSession implements Session {

  private final OpenSessions sessions;
  private final CatalogEntry entry;
  private final Version version;
  private final long sequence;
  private static final int CLOSED = 1 << 30;
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(RealSession.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // The CLOSED bit, plus the number of opens in flight. The cleanup sets the bit and then waits for
  // the opens in flight, so no provider is asked to open or wrap a socket after the session's
  // cleanup has begun, and an open that starts later sees the bit.
  // Changed through STATE: a plain field, not an AtomicInteger, since every session holds it.
  private volatile int state;
  // Dropped at close, so that a closed session kept by the application pins no provider instance
  // (and so no plugin class loader).
  private volatile StartedChain chain;

  RealSession(OpenSessions sessions, StartedChain chain, long sequence) {
    this.sessions = sessions;
    this.sequence = sequence;
    this.entry = chain.target();
    this.version = chain.context(0).version();
    this.chain = chain;
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
    if ((int) STATE.getAndAdd(this, 1) + 1 >= CLOSED) {
      STATE.getAndAdd(this, -1);
      throw new NotInitialisedException("session of " + entry + " was cleaned up: count 0, open 1");
    }
    try {
      return openLocked();
    } finally {
      STATE.getAndAdd(this, -1);
    }
  }

  private ChainSocket openLocked() throws IOException {
    StartedChain chain = this.chain;
    if (chain == null) {
      throw new NotInitialisedException("session of " + entry + " was cleaned up: count 0, open 1");
    }
    int base = chain.depth() - 1;
    ChainSocket socket;
    try {
      socket = ((BaseProvider) chain.provider(base)).open(chain.context(base));
    } catch (IOException | RuntimeException e) {
      throw openFailed(chain, base, e);
    }
    if (socket == null) {
      throw new IllegalStateException(
          chain.slot(base).describe() + " returned no socket from open(); chain " + entry);
    }
    for (int d = base - 1; d >= 0; d--) {
      ChainSocket wrapped;
      try {
        wrapped = ((LayeredProvider) chain.provider(d)).wrap(socket, chain.context(d));
      } catch (IOException | RuntimeException e) {
        ProtochainException failure = openFailed(chain, d, e);
        closeQuietly(socket, failure);
        throw failure;
      } catch (Error e) {
        closeQuietly(socket, e);
        throw e;
      }
      if (wrapped == null) {
        CatalogEntry layer = chain.slot(d).entry();
        IllegalStateException e =
            new IllegalStateException(
                "layer '"
                    + layer.name()
                    + "' (entry "
                    + layer.id()
                    + ") returned no socket from wrap(); chain "
                    + entry.chain());
        closeQuietly(socket, e);
        throw e;
      }
      socket = wrapped;
    }
    OpenSockets sockets = sessions.sockets();
    return sockets.register(new RealChainSocket(sockets, entry, chain.slots(), socket));
  }

  /** Names the entry, the provider, its depth and the phase of a failed open; keeps the cause. */
  private ProtochainException openFailed(StartedChain chain, int depth, Exception e) {
    if (e instanceof ProtochainException
        && ((ProtochainException) e).code() == ProtochainException.Code.OPERATION_ABORTED) {
      return (ProtochainException) e;
    }
    return chain
        .slot(depth)
        .failedAt(
            "open of a socket on " + entry,
            depth,
            depth == chain.depth() - 1 ? "open it" : "wrap it",
            e);
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
    return state < CLOSED;
  }

  @Override
  public void close() throws IOException {
    int s;
    do {
      s = state;
      if (s >= CLOSED) {
        return;
      }
    } while (!STATE.compareAndSet(this, s, s + CLOSED));
    awaitOpensInFlight();
    sessions.closed(this);
    StartedChain started = chain;
    chain = null;
    List<Throwable> failures = started.cleanupAll();
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
    for (int spins = 0; state != CLOSED; spins++) {
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
