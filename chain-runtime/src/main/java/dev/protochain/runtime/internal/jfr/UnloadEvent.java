package dev.protochain.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A provider unloaded (its count 1 to 0): its sockets closed, its held bytes drained, its instance
 * unloaded and its binding closed.
 */
@Name("protochain.Unload")
@Label("Provider Unload")
@Category("protochain")
@Description("A provider unloaded on its last cleanup: sockets closed, drained, freed")
@StackTrace(false)
public final class UnloadEvent extends ProviderEvent {

  @Label("Unloads")
  @Description("How many times the provider was unloaded in this runtime, this one included")
  int unloads;

  @Label("Failures")
  @Description("How many steps of the unload failed")
  int failures;

  /** Sets the unload's own fields; call only when {@link #shouldCommit()}. */
  public void unload(int unloads, int failures) {
    this.unloads = unloads;
    this.failures = failures;
  }
}
