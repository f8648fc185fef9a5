package dev.protochain.runtime;

import dev.protochain.runtime.testing.Phase;
import java.util.List;

/**
 * One step of a generated lifecycle sequence, applied by {@link LifecycleMachine} to a real runtime
 * and to {@link LifecycleModel} alike. References to entries, sessions and socket pairs are indices
 * taken modulo what exists when the step runs, so that every sequence is meaningful and shrinking
 * an index keeps it so.
 */
sealed interface LifecycleOp {

  /**
   * Starts up an entry of the runtime's snapshot: by id ({@code how} 0), by name (1), or the entry
   * selected for MEMORY/STREAM/MEMORY (2, which ignores {@code entry}). The index one past the last
   * entry names an entry that does not exist. {@code version} picks a range of {@link #RANGES}.
   */
  record Startup(int entry, int how, int version) implements LifecycleOp {}

  /** Closes a session of this runtime, open or already closed. */
  record CloseSession(int session) implements LifecycleOp {}

  /**
   * The count-level cleanup {@code runtime.cleanup(id)} of an entry of the snapshot, or of a
   * missing one.
   */
  record Cleanup(int entry) implements LifecycleOp {}

  /**
   * Opens a listener, a client and the accepted server through a session; the listener closes at
   * once.
   */
  record OpenPair(int session) implements LifecycleOp {}

  /** Sends {@code size} bytes each way over a socket pair and checks they arrive intact. */
  record Send(int pair, int size) implements LifecycleOp {}

  /** Closes both sockets of a pair. */
  record ClosePair(int pair) implements LifecycleOp {}

  /**
   * Installs layer provider {@code provider} ({@code a}, {@code b} or {@code c}) under a name
   * picked by {@code name} over the entries {@code targets} of the edited catalog, then validates
   * the result; a refused or invalid edit leaves the catalog as it was.
   */
  record Install(int provider, int name, List<Integer> targets) implements LifecycleOp {}

  /** Removes an entry of the edited catalog (or a missing one), with or without its dependants. */
  record Remove(int entry, boolean cascade) implements LifecycleOp {}

  /**
   * Reorders the edited catalog's base and chain entries by {@code keys}; {@code mutation} 0 keeps
   * the order valid, 1 leaves an entry out, 2 names one twice, 3 names a layer's own entry, 4 a
   * missing one.
   */
  record Order(List<Integer> keys, int mutation) implements LifecycleOp {}

  /**
   * Closes the runtime (every open session, most recent first) and builds one from the edited
   * catalog.
   */
  record Reinit() implements LifecycleOp {}

  /**
   * Makes provider {@code a}, {@code b}, {@code c}, {@code x} or {@code y} fail at {@code phase}
   * from now on.
   */
  record Fail(int provider, Phase phase) implements LifecycleOp {}

  /** Ends every injected failure. */
  record Heal() implements LifecycleOp {}

  /** The version ranges a startup asks for, as {@code VersionRange.parse} reads them. */
  List<String> RANGES = List.of("1.0-2.2", "2.2", "2.0-2.1", "1.0-1.1", "2.1");
}
