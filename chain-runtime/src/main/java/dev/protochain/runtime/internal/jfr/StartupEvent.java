package dev.protochain.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * One startup of an entry: the whole chain, from the call to the session, loads included. Committed
 * for startups that succeed; a failed one shows as its providers' cleanups and a refusal or
 * failure.
 */
@Name("protochain.Startup")
@Label("Chain Startup")
@Category("protochain")
@Description("A startup of a base or chain entry: every provider of its chain counted once more")
@StackTrace(false)
@Threshold(ChainEvent.THRESHOLD)
public final class StartupEvent extends ChainEvent {

  @Label("Version")
  @Description("The version negotiated at the top of the chain")
  String version;

  /** Sets the version negotiated at the top; call only when {@link #shouldCommit()}. */
  public void version(String version) {
    this.version = version;
  }
}
