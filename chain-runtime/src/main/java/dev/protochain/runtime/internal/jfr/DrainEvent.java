package dev.protochain.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A provider's final cleanup delivering what closed sockets still held, within the drain timeout.
 */
@Name("protochain.Drain")
@Label("Provider Drain")
@Category("protochain")
@Description("A final cleanup delivering held bytes; what could not be delivered in time")
@StackTrace(false)
public final class DrainEvent extends ProviderEvent {

  @Label("Bytes Undelivered")
  @DataAmount
  long undelivered;

  @Label("Timeout")
  @Timespan(Timespan.MILLISECONDS)
  long timeout;

  /** Sets the drain's own fields; call only when {@link #shouldCommit()}. */
  public void drain(long undelivered, long timeoutMillis) {
    this.undelivered = undelivered;
    this.timeout = timeoutMillis;
  }
}
