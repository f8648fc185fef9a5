package dev.protochain.samples.modules;

import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;

/**
 * Tries to call the runtime's internal {@code BuiltinBases.catalog()}, a public method of a public
 * class in {@code dev.protochain.runtime.internal}: first as it is, then after {@code
 * setAccessible(true)}. Each attempt prints one line, {@code reached ...} or {@code refused: } and
 * the JDK's message; on the class path both reach it, on the module path the module system refuses
 * both. Exits 0 when nothing was reached, 3 otherwise.
 */
public final class ReachInternal {

  private ReachInternal() {}

  /** Runs both attempts. */
  public static void main(String[] args) throws Exception {
    Class<?> type = Class.forName("dev.protochain.runtime.internal.BuiltinBases");
    Method catalog = type.getMethod("catalog");
    boolean reached = false;
    try {
      System.out.println("reached " + catalog.invoke(null).getClass().getName());
      reached = true;
    } catch (IllegalAccessException e) {
      System.out.println("refused: " + e.getMessage());
    }
    try {
      catalog.setAccessible(true);
      System.out.println("reached " + catalog.invoke(null).getClass().getName());
      reached = true;
    } catch (InaccessibleObjectException e) {
      System.out.println("refused: " + e.getMessage());
    }
    System.exit(reached ? 3 : 0);
  }
}
