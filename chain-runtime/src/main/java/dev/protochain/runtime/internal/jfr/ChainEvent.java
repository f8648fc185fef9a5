package dev.protochain.runtime.internal.jfr;

import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;

/**
 * What a startup and a cleanup event share: the runtime, the entry, its chain and the counts.
 *
 * <p>A warm startup or cleanup takes about a microsecond and a server may make hundreds of
 * thousands a second, so these two events are recorded from {@link #THRESHOLD} by default, as the
 * JDK's own frequent events are ({@code jdk.SocketRead}: 20 ms): the startups that load providers,
 * and the slow ones. A recording that wants them all enables them without a threshold. Loads,
 * unloads, drains and refusals are rare and always recorded.
 */
public abstract class ChainEvent extends Event {

  /** The default threshold of startup and cleanup events: {@value}. */
  public static final String THRESHOLD = "100 us";

  @Label("Runtime")
  String runtime;

  @Label("Entry")
  @Description("The id of the base or chain entry")
  int entry;

  @Label("Entry Name")
  String entryName;

  @Label("Provider")
  @Description("The provider at the top of the chain")
  String provider;

  @Label("Depth")
  @Description("How many providers the chain has, the base included")
  int depth;

  @Label("Count")
  @Description("The top provider's count after the step")
  int count;

  @Label("Counts")
  @Description("Each provider's count after the step, top first")
  String counts;

  /** Sets the shared fields; call only when {@link #shouldCommit()}. */
  public final void chain(
      String runtime,
      int entry,
      String entryName,
      String provider,
      int depth,
      int count,
      String counts) {
    this.runtime = runtime;
    this.entry = entry;
    this.entryName = entryName;
    this.provider = provider;
    this.depth = depth;
    this.count = count;
    this.counts = counts;
  }
}
