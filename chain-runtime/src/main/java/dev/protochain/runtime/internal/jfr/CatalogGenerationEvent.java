package dev.protochain.runtime.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A runtime following its home's catalog took a new generation for its next startups.
 *
 * <p>The hook for the catalog follower: call {@link #taken} where a generation is taken (the
 * duration covers reading and checking it if the caller {@link #begin()}s first).
 */
@Name("protochain.CatalogGeneration")
@Label("Catalog Generation Taken")
@Category("protochain")
@Description("A runtime following its catalog took a new generation for its next startups")
@StackTrace(false)
public final class CatalogGenerationEvent extends Event {

  @Label("Runtime")
  String runtime;

  @Label("Home")
  String home;

  @Label("Generation")
  long generation;

  @Label("Previous Generation")
  long previous;

  @Label("Entries")
  @Description("How many entries the new generation has")
  int entries;

  @Label("Changes")
  @Description("What changed from the previous generation")
  String changes;

  /**
   * Commits this event, begun by the caller or not, if a recording wants it; {@code changes} is
   * asked only then.
   */
  public void taken(
      String runtime,
      String home,
      long generation,
      long previous,
      int entries,
      java.util.function.Supplier<String> changes) {
    end();
    if (shouldCommit()) {
      this.runtime = runtime;
      this.home = home;
      this.generation = generation;
      this.previous = previous;
      this.entries = entries;
      this.changes = changes.get();
      commit();
    }
  }
}
