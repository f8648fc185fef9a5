package dev.protochain.runtime.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Bounds every jqwik property of the annotated class (or the annotated property) in time, as
 * JUnit's {@code @Timeout} does for Jupiter tests, which jqwik does not honour. jqwik keeps its
 * state in the thread running the property, so the property stays there: a watchdog interrupts it
 * when {@link #seconds()} pass and the property fails with the thread dump taken at that moment.
 * Each case inside runs under {@link Bounded}, so a case that hangs ends on its own bound.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@AddLifecycleHook(value = PropertyTimeout.Hook.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
public @interface PropertyTimeout {

  /** The longest time one property may run, generation and shrinking included. */
  long seconds();

  /** Runs the property under a watchdog. */
  final class Hook implements AroundPropertyHook {

    /** Made by jqwik. */
    public Hook() {}

    @Override
    public PropertyExecutionResult aroundProperty(
        PropertyLifecycleContext context, PropertyExecutor property) {
      long seconds =
          context
              .findAnnotation(PropertyTimeout.class)
              .or(
                  () ->
                      context.findAnnotationsInContainer(PropertyTimeout.class).stream()
                          .findFirst())
              .map(PropertyTimeout::seconds)
              .orElseThrow(
                  () -> new IllegalStateException(context.label() + " has no @PropertyTimeout"));
      Thread running = Thread.currentThread();
      Object lock = new Object();
      boolean[] done = {false};
      String[] dump = {null};
      ScheduledExecutorService watchdog =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "watchdog of " + context.label());
                t.setDaemon(true);
                return t;
              });
      var unused = // done[0] and dump[0] carry what the watchdog found
          watchdog.schedule(
              () -> {
                synchronized (lock) {
                  if (!done[0]) {
                    dump[0] = Bounded.threadDump();
                    running.interrupt();
                  }
                }
              },
              seconds,
              TimeUnit.SECONDS);
      PropertyExecutionResult result;
      try {
        result = property.execute();
      } finally {
        synchronized (lock) {
          done[0] = true;
        }
        watchdog.shutdownNow();
        Thread.interrupted(); // an interrupt meant for this property must not reach the next one
      }
      return dump[0] == null
          ? result
          : result.mapToFailed(
              context.label()
                  + " ran longer than "
                  + seconds
                  + " s; the thread dump when the bound passed:\n"
                  + dump[0]);
    }
  }
}
