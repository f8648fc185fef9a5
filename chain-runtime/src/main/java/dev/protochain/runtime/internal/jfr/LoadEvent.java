package dev.protochain.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A provider loaded afresh (its count 0 to 1): binding, injector, its own initialisation. */
@Name("protochain.Load")
@Label("Provider Load")
@Category("protochain")
@Description("A provider loaded afresh on its first startup")
@StackTrace(false)
public final class LoadEvent extends ProviderEvent {

  @Label("Loads")
  @Description("How many times the provider was loaded in this runtime, this one included")
  int loads;

  @Label("Origin")
  @Description("The plugin jar the provider comes from; empty for the class path")
  String origin;

  /** Sets the load's own fields; call only when {@link #shouldCommit()}. */
  public void load(int loads, String origin) {
    this.loads = loads;
    this.origin = origin;
  }
}
