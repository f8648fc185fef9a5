package dev.protochain.runtime.bridge;

import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} looked up by name, for clients that take a factory's class name rather
 * than an instance, such as JDBC drivers:
 *
 * <pre>{@code
 * RegisteredSocketFactory.register("orders-db", ChainSocketFactory.forEntry(runtime, "tls-tcp4"));
 * DriverManager.getConnection("jdbc:postgresql://db:5432/orders"
 *     + "?socketFactory=dev.protochain.runtime.bridge.RegisteredSocketFactory&socketFactoryArg=orders-db");
 * }</pre>
 *
 * <p>The registry belongs to the process, like {@code java.sql.DriverManager}'s; register a factory
 * before the client instantiates this class and unregister it when its runtime closes. This class
 * is thread-safe.
 */
public final class RegisteredSocketFactory extends ForwardingSocketFactory {

  /** The property holding the name when the client passes its connection properties. */
  public static final String ARG = "socketFactoryArg";

  private static final ConcurrentMap<String, SocketFactory> REGISTRY = new ConcurrentHashMap<>();

  private final String name;

  /**
   * Returns the factory registered under {@code name}.
   *
   * @throws IllegalArgumentException if none is
   */
  public RegisteredSocketFactory(String name) {
    super(lookUp(name));
    this.name = name;
  }

  private static SocketFactory lookUp(String name) {
    SocketFactory found =
        REGISTRY.get(
            Objects.requireNonNull(name, "no socket factory name given (set " + ARG + ")"));
    if (found == null) {
      throw new IllegalArgumentException(
          "no socket factory is registered as '"
              + name
              + "' (registered: "
              + REGISTRY.keySet()
              + ")");
    }
    return found;
  }

  /** Returns the factory registered under the name in {@code properties}' {@value #ARG}. */
  public RegisteredSocketFactory(Properties properties) {
    this(properties.getProperty(ARG));
  }

  /** Registers {@code factory} under {@code name}, replacing any factory registered under it. */
  public static void register(String name, SocketFactory factory) {
    REGISTRY.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(factory, "factory"));
  }

  /** Removes the factory registered under {@code name}, if any. */
  public static void unregister(String name) {
    REGISTRY.remove(name);
  }

  @Override
  public String toString() {
    return "RegisteredSocketFactory['" + name + "' = " + delegate() + "]";
  }
}
