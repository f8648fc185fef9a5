package dev.protochain.runtime.internal.jfr;

import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;

/**
 * What the events of one provider share: the runtime, the chain, and the provider's place in it.
 */
public abstract class ProviderEvent extends Event {

  @Label("Runtime")
  String runtime;

  @Label("Entry")
  @Description("The id of the base or chain entry whose startup or cleanup caused the step")
  int entry;

  @Label("Entry Name")
  String entryName;

  @Label("Provider")
  @Description("The provider's name")
  String provider;

  @Label("Provider Entry")
  @Description("The id of the provider's own entry (a layer's own entry or a base entry)")
  int providerEntry;

  @Label("Depth")
  @Description("The provider's place in the chain: 0 the top")
  int depth;

  /** Sets the shared fields; call only when {@link #shouldCommit()}. */
  public final void provider(
      String runtime, int entry, String entryName, String provider, int providerEntry, int depth) {
    this.runtime = runtime;
    this.entry = entry;
    this.entryName = entryName;
    this.provider = provider;
    this.providerEntry = providerEntry;
    this.depth = depth;
  }
}
