package dev.protochain.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A provider refused as invalid when the runtime described or bound it: a plugin whose digest
 * differs from its record, whose descriptor is bad, or that claims an id it may not, or a provider
 * no source has. The reason says which.
 */
@Name("protochain.PluginRefused")
@Label("Plugin Refused")
@Category("protochain")
@Description("A provider (usually a plugin's) refused as invalid: digest, descriptor, claimed id")
public final class PluginRefusedEvent extends Event {

  @Label("Runtime")
  String runtime;

  @Label("Provider")
  @Description("The name of the provider's own entry")
  String provider;

  @Label("Provider Entry")
  int providerEntry;

  @Label("Provider Id")
  String providerId;

  @Label("Code")
  String code;

  @Label("Reason")
  String reason;

  /** Sets the fields; call only when {@link #shouldCommit()}. */
  public void refused(
      String runtime,
      String provider,
      int providerEntry,
      String providerId,
      String code,
      String reason) {
    this.runtime = runtime;
    this.provider = provider;
    this.providerEntry = providerEntry;
    this.providerId = providerId;
    this.code = code;
    this.reason = reason;
  }
}
