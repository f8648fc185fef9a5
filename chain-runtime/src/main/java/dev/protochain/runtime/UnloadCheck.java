package dev.protochain.runtime;

import dev.protochain.api.ProtochainException;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.internal.PluginClassLoader;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Proves that plugins really unload. {@link #track} wraps a {@link ProviderSource} and remembers,
 * weakly, the class loader of every plugin load and the jar it read; once the runtime's sessions
 * are closed, {@link #verify} collects garbage until every such loader is gone (or gives up), and
 * then looks for open file descriptors of this process still pointing at a plugin jar and threads
 * still running a plugin's code or carrying its class loader, each named with its state and top
 * frame.
 *
 * <p>Unloads that did not really happen (a loader kept alive, a jar left open, a thread left
 * running) are what plugin frameworks are known for; this is the check {@code protochain listen
 * --check-unload} and the tests run. This class is thread-safe.
 */
public final class UnloadCheck {

  /**
   * What {@link #verify} found.
   *
   * @param loads how many plugin loads were tracked
   * @param collected how many of their class loaders were collected
   * @param collections how many collections it took
   * @param openJars plugin jars a file descriptor of this process still points at; empty where the
   *     platform has no {@code /proc/self/fd}
   * @param liveThreads the threads of each plugin load whose loader was not collected (running its
   *     code, or carrying it as their context class loader), each as its name, state and top frame,
   *     such as {@code 'worker' (TIMED_WAITING at java.lang.Thread.sleep(Native Method), in
   *     test.Leaky.lambda$wrap$0(Leaky.java:9))}
   */
  public record Report(
      int loads, int collected, int collections, List<String> openJars, List<String> liveThreads) {

    /** Creates a report, copying the lists. */
    public Report {
      openJars = List.copyOf(openJars);
      liveThreads = List.copyOf(liveThreads);
    }

    /** Returns whether every plugin load was unloaded completely. */
    public boolean clean() {
      return collected == loads && openJars.isEmpty() && liveThreads.isEmpty();
    }

    /** Returns one line saying what was found. */
    @Override
    public String toString() {
      if (clean()) {
        return "unload verified: "
            + loads
            + " plugin class loader"
            + (loads == 1 ? "" : "s")
            + " collected after "
            + collections
            + " collection"
            + (collections == 1 ? "" : "s")
            + ", no descriptor open on a plugin jar,"
            + " no plugin thread left";
      }
      return "unload NOT verified: "
          + collected
          + " of "
          + loads
          + " plugin class loaders collected after "
          + collections
          + " collections"
          + (openJars.isEmpty() ? "" : "; jars still open: " + openJars)
          + (liveThreads.isEmpty() ? "" : "; threads still running: " + liveThreads);
    }
  }

  private record Load(WeakReference<ClassLoader> loader, List<Path> jars) {}

  private final List<Load> loads = new CopyOnWriteArrayList<>();

  /** Creates a check that has tracked nothing yet. */
  public UnloadCheck() {}

  /** Returns {@code source}, remembering the class loader and jar of each of its plugin loads. */
  public ProviderSource track(ProviderSource source) {
    ClassLoader host = UnloadCheck.class.getClassLoader();
    return new ProviderSource() {
      @Override
      public String name() {
        return source.name();
      }

      @Override
      public Optional<ProviderDescriptor> describe(UUID providerId) throws ProtochainException {
        return source.describe(providerId);
      }

      @Override
      public List<ProviderDescriptor> descriptors() {
        return source.descriptors();
      }

      @Override
      public ProviderBinding bind(UUID providerId) throws ProtochainException {
        ProviderBinding b = source.bind(providerId);
        ClassLoader loader = b.classLoader();
        if (loader != host) {
          loads.add(new Load(new WeakReference<>(loader), jars(loader)));
        }
        return b;
      }
    };
  }

  private static List<Path> jars(ClassLoader loader) {
    List<Path> out = new ArrayList<>();
    if (loader instanceof URLClassLoader) {
      for (URL url : ((URLClassLoader) loader).getURLs()) {
        try {
          if (url.getProtocol().equals("file")) {
            Path jar = Path.of(url.toURI());
            out.add(Files.exists(jar) ? jar.toRealPath() : jar.toAbsolutePath().normalize());
          }
        } catch (URISyntaxException | IllegalArgumentException | IOException e) {
          // Not a file on disk: nothing a descriptor could point at.
        }
      }
    }
    return out;
  }

  /** Returns how many plugin loads were tracked so far. */
  public int loads() {
    return loads.size();
  }

  /**
   * Collects garbage until every tracked plugin class loader is collected, at most {@code
   * maxCollections} times, then checks descriptors and threads. Call it after the sessions that
   * used the plugins are closed and the application dropped its references to their sockets.
   */
  public Report verify(int maxCollections) throws InterruptedException {
    int collections = 0;
    while (collections < maxCollections && loads.stream().anyMatch(l -> l.loader.get() != null)) {
      System.gc();
      collections++;
      Thread.sleep(10);
    }
    int collected = (int) loads.stream().filter(l -> l.loader.get() == null).count();
    List<String> threads = new ArrayList<>();
    for (Load l : loads) {
      ClassLoader loader = l.loader.get();
      if (loader == null) {
        continue;
      }
      if (loader instanceof PluginClassLoader) {
        ((PluginClassLoader) loader)
            .threads()
            .forEach(t -> threads.add(PluginClassLoader.describe(t)));
        continue;
      }
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.isAlive() && t.getContextClassLoader() == loader) {
          threads.add(PluginClassLoader.describe(t));
        }
      }
    }
    List<String> open = new ArrayList<>();
    Path fds = Path.of("/proc/self/fd");
    if (Files.isDirectory(fds)) {
      List<Path> jars = new ArrayList<>();
      loads.forEach(l -> jars.addAll(l.jars));
      try (Stream<Path> list = Files.list(fds)) {
        for (Path fd : (Iterable<Path>) list::iterator) {
          try {
            Path target = Files.readSymbolicLink(fd);
            if (jars.contains(target.toAbsolutePath().normalize())
                && !open.contains(target.toString())) {
              open.add(target.toString());
            }
          } catch (IOException closedMeanwhile) {
            // The descriptor closed between listing and reading it.
          }
        }
      } catch (IOException e) {
        open.add("(" + fds + " unreadable: " + e.getMessage() + ")");
      }
    }
    return new Report(loads.size(), collected, collections, open, threads);
  }
}
