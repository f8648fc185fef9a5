package dev.protochain.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** One cleanup of an entry: the whole chain top-down, unloads included. */
@Name("protochain.Cleanup")
@Label("Chain Cleanup")
@Category("protochain")
@Description("A cleanup of a base or chain entry: every provider of its chain counted once less")
@StackTrace(false)
@Threshold(ChainEvent.THRESHOLD)
public final class CleanupEvent extends ChainEvent {

  @Label("Failures")
  @Description("How many steps of the cleanup failed (it cascades regardless)")
  int failures;

  /** Sets how many steps failed; call only when {@link #shouldCommit()}. */
  public void failures(int failures) {
    this.failures = failures;
  }
}
