package dev.protochain.api;

/**
 * What a catalog entry is, read from the length of its {@link ProtocolChain}; and what a provider
 * is, the kind of its own entry: {@link #BASE} for a {@link dev.protochain.api.spi.BaseProvider},
 * {@link #LAYER} for a {@link dev.protochain.api.spi.LayeredProvider} (a provider is never a {@link
 * #CHAIN}).
 */
public enum EntryKind {
  /** A layered provider's own entry (chain length 0); not selectable by applications. */
  LAYER,
  /** A base provider's entry (chain length 1): a transport applications may select. */
  BASE,
  /** A protocol chain (length 2 to 7): {@code [top layer, ..., base]}, selectable. */
  CHAIN;

  /** Returns whether an application may select entries of this kind. */
  public boolean isSelectable() {
    return this != LAYER;
  }
}
