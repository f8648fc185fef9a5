package dev.protochain.layers.internal;

import dev.protochain.api.spi.ProviderContext;
import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;

/**
 * The threads a layer starts, all from the runtime's thread factory ({@link
 * dev.protochain.api.spi.RuntimeServices#threadFactory}), named for the layer.
 *
 * <p>This class is stateless and thread-safe.
 */
public final class LayerThreads {

  /** {@code Thread.isVirtual()}, looked up once: null before JDK 21, which has no such threads. */
  private static final Method IS_VIRTUAL = isVirtualMethod();

  private LayerThreads() {}

  /** Returns a factory of the runtime's threads of {@code context}, each named {@code name}. */
  public static ThreadFactory named(ProviderContext context, String name) {
    ThreadFactory threads = context.services().threadFactory();
    return r -> {
      Thread t = threads.newThread(r);
      t.setName(name);
      return t;
    };
  }

  /** Returns whether {@code threads} makes virtual threads; makes one to see, never started. */
  public static boolean makesVirtual(ThreadFactory threads) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (Boolean) IS_VIRTUAL.invoke(threads.newThread(() -> {}));
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  private static Method isVirtualMethod() {
    try {
      return Thread.class.getMethod("isVirtual");
    } catch (NoSuchMethodException jdk17) {
      return null;
    }
  }
}
