package dev.protochain.testkit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Finds threads a run left behind. */
public final class Threads {

  private Threads() {}

  /** Returns the threads alive now. */
  public static Set<Thread> snapshot() {
    return Set.copyOf(Thread.getAllStackTraces().keySet());
  }

  /**
   * Waits up to {@code millis} for every thread not in {@code before} to end and returns the names
   * of those still alive; the JDK's common pool is not counted.
   */
  public static List<String> leftBehind(Set<Thread> before, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (true) {
      List<String> left = new ArrayList<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (!before.contains(t)
            && t.isAlive()
            && !t.getName().startsWith("ForkJoinPool.commonPool")) {
          left.add(t.getName());
        }
      }
      if (left.isEmpty() || System.nanoTime() > deadline) {
        return left;
      }
      Thread.sleep(20);
    }
  }
}
