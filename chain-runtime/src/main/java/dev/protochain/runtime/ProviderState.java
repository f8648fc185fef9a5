package dev.protochain.runtime;

/**
 * The state of one provider inside one runtime.
 *
 * <p>Legal transitions: {@code UNLOADED -> LOADING -> RUNNING -> UNLOADING -> UNLOADED}, and {@code
 * LOADING -> UNLOADED} when loading fails. There is no terminal state: a provider that reached
 * {@code UNLOADED} loads afresh at its next startup. A startup that finds the provider {@code
 * UNLOADING} waits until it is {@code UNLOADED} and then loads it again.
 */
public enum ProviderState {
  /** Not loaded; its count is 0. */
  UNLOADED,
  /** Being loaded by the first startup. */
  LOADING,
  /** Loaded, with a count of at least 1. */
  RUNNING,
  /** Its count reached 0; it is flushing, closing and freeing what it holds. */
  UNLOADING
}
