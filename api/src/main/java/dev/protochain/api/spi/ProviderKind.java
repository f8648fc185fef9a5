package dev.protochain.api.spi;

/** Whether a provider is a base or a layer. */
public enum ProviderKind {
  /** A {@link BaseProvider}. */
  BASE,
  /** A {@link LayeredProvider}. */
  LAYER
}
