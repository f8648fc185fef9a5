package dev.protochain.runtime.bridge;

import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link javax.net.SocketFactory} built from a protochain home, for clients that take a factory's
 * class name and a string, such as JDBC drivers, with no code of the application's:
 *
 * <pre>{@code
 * jdbc:postgresql://db:5432/orders?socketFactory=dev.protochain.runtime.bridge.HomeSocketFactory
 *     &socketFactoryArg=/srv/app/protochain-home
 * }</pre>
 *
 * <p>Its sockets pass through the entry the home's catalog selects for (the family of the address
 * they connect to, stream, TCP), as {@link ChainSocketFactory#forSelection} does. All factories of
 * one home share one runtime, built at first use over the home's {@link CatalogStore} (which
 * creates the catalog with the built-in entries if the home has none) and <b>following its catalog
 * file</b>: a {@code protochain catalog install} made while the application runs reaches its next
 * connections, while connections already open keep their chains. The runtime lives as long as the
 * process and is closed by its shutdown hook. This class is thread-safe.
 */
public final class HomeSocketFactory extends ForwardingSocketFactory {

  private static final Map<Path, ChainRuntime> RUNTIMES = new ConcurrentHashMap<>();

  private final ChainRuntime runtime;

  /**
   * Returns a factory over the home in {@code directory}, or, if it is null or blank, the home
   * {@code PROTOCHAIN_HOME} names, else {@code ~/.protochain}.
   *
   * @throws UncheckedIOException naming the home, if its catalog cannot be read
   */
  public HomeSocketFactory(String directory) {
    this(runtime(directory));
  }

  private HomeSocketFactory(ChainRuntime runtime) {
    super(ChainSocketFactory.forSelection(runtime));
    this.runtime = runtime;
  }

  /**
   * Returns a factory over the home named by {@code properties}' {@value
   * RegisteredSocketFactory#ARG}, as {@link #HomeSocketFactory(String)} does.
   */
  public HomeSocketFactory(Properties properties) {
    this(properties.getProperty(RegisteredSocketFactory.ARG));
  }

  /** Returns a factory over the default home, as {@link #HomeSocketFactory(String)} does. */
  public HomeSocketFactory() {
    this((String) null);
  }

  private static ChainRuntime runtime(String directory) {
    ProtochainHome home =
        ProtochainHome.resolve(
            directory == null || directory.isBlank()
                ? Optional.empty()
                : Optional.of(Path.of(directory.trim())),
            System.getenv(),
            Path.of(System.getProperty("user.home")));
    return RUNTIMES.computeIfAbsent(
        home.directory(),
        dir -> {
          try {
            return ChainRuntime.builder()
                .name("bridge " + dir.getFileName())
                .store(CatalogStore.open(home))
                .followCatalog(true)
                .build();
          } catch (IOException e) {
            throw new UncheckedIOException(
                "protochain home " + dir + ": " + String.valueOf(e.getMessage()), e);
          }
        });
  }

  /** Closes and forgets the runtime of the home in {@code directory}; for tests. */
  static void forget(Path directory) throws IOException {
    ChainRuntime r = RUNTIMES.remove(ProtochainHome.of(directory).directory());
    if (r != null) {
      r.close();
    }
  }

  /** Returns the runtime this factory's sockets start their chains in: its home's. */
  public ChainRuntime runtime() {
    return runtime;
  }

  /** Returns {@code HomeSocketFactory[<runtime>]}. */
  @Override
  public String toString() {
    return "HomeSocketFactory[" + runtime + "]";
  }
}
