package dev.protochain.runtime.testing;

/** A point in a provider's life where a {@link Recorder} can make it fail. */
public enum Phase {
  /** The constructor, called by the provider's injector. */
  CONSTRUCT,
  /** {@code Provider.load}. */
  LOAD,
  /** {@code Provider.startup}. */
  STARTUP,
  /** {@code BaseProvider.open} or {@code LayeredProvider.wrap}. */
  OPEN,
  /** A socket's {@code send}. */
  SEND,
  /** {@code Provider.cleanup}. */
  CLEANUP,
  /** {@code Provider.drain}. */
  DRAIN,
  /** {@code Provider.unload}. */
  UNLOAD
}
