package dev.protochain.runtime.internal;

import java.io.IOException;

/**
 * A copy of an exception thrown by plugin code, made of host classes only: the same text, class
 * name, stack trace, causes and suppressed exceptions, but nothing that keeps the plugin's class
 * loader reachable. (A live {@link Throwable} pins the classes on its stack, so an exception the
 * runtime hands the application would otherwise keep an unloaded plugin in memory for as long as
 * the application keeps the exception.)
 */
final class DetachedException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String original;

  private DetachedException(Throwable t) {
    super(t.getMessage());
    this.original = describe(t);
    setStackTrace(t.getStackTrace());
  }

  /** Returns a detached copy of {@code t} and its causes and suppressed exceptions. */
  static Throwable detach(Throwable t) {
    if (t == null) {
      return null;
    }
    DetachedException copy = new DetachedException(t);
    Throwable cause = t.getCause();
    if (cause != null && cause != t) {
      copy.initCause(detach(cause));
    }
    for (Throwable s : t.getSuppressed()) {
      copy.addSuppressed(detach(s));
    }
    return copy;
  }

  /**
   * Returns {@code t.toString()}, except for a failed static initializer, whose error says neither
   * the class nor the cause: {@code the static initializer of test.Foo failed: <cause>}.
   */
  private static String describe(Throwable t) {
    if (t instanceof ExceptionInInitializerError && t.getCause() != null) {
      String type = "a class";
      for (StackTraceElement frame : t.getCause().getStackTrace()) {
        if (frame.getMethodName().equals("<clinit>")) {
          type = frame.getClassName();
          break;
        }
      }
      return "the static initializer of " + type + " failed: " + t.getCause();
    }
    return t.toString();
  }

  /** Returns the original's {@code toString()}: its class name and message. */
  @Override
  @SuppressWarnings("OverrideThrowableToString") // it prints the plugin's class name, not ours
  public String toString() {
    return original;
  }
}
