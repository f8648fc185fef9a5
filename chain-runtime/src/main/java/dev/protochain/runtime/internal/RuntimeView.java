package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.runtime.ChainRuntimeMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The JMX view of one runtime, registered in the platform MBean server while the runtime is open.
 * Reads the runtime's live state when asked. Thread-safe.
 */
final class RuntimeView implements ChainRuntimeMXBean {

  // Unique within this copy of the class; a second copy (another class loader) that took a name
  // already is passed over by register().
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final String name;
  private final boolean following;
  private final Supplier<Map<Integer, Integer>> counts;
  private final Collection<ProviderSlot> slots;
  private final OpenSessions sessions;
  private final OpenSockets sockets;
  private final LifecycleLog log;
  private volatile long generation;
  private volatile String home = "";
  // Guarded by this: the name registered, and whether the runtime closed (then nothing registers).
  private ObjectName registered;
  private boolean closed;

  RuntimeView(
      String name,
      boolean following,
      Supplier<Map<Integer, Integer>> counts,
      Collection<ProviderSlot> slots,
      OpenSessions sessions,
      OpenSockets sockets,
      LifecycleLog log) {
    this.name = name;
    this.following = following;
    this.counts = counts;
    this.slots = slots;
    this.sessions = sessions;
    this.sockets = sockets;
    this.log = log;
  }

  /**
   * Sets the catalog generation in use and the home it was read from; the hook for a runtime built
   * over a home, or following one.
   */
  void catalog(long generation, String home) {
    this.generation = generation;
    this.home = home;
  }

  /**
   * Registers this view soon, in the JDK's common pool: the first use of the platform MBean server
   * in a JVM takes a few hundred milliseconds, which a command line or the agent's premain must not
   * wait for, and the registration is no work of the runtime's (so no thread of its factory). A
   * failure is logged, never thrown: a runtime works without its view.
   */
  void registerSoon() {
    ForkJoinPool.commonPool().execute(this::register);
  }

  private void register() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
    for (int attempt = 0; attempt < 100; attempt++) {
      try {
        ObjectName objectName =
            new ObjectName(TYPE + ",name=" + safe + "-" + SEQUENCE.incrementAndGet());
        synchronized (this) {
          if (closed) {
            return;
          }
          server.registerMBean(this, objectName);
          registered = objectName;
        }
        mark();
        return;
      } catch (InstanceAlreadyExistsException taken) {
        // Another copy of protochain in this JVM has the name: take the next.
      } catch (RuntimeException | JMException e) {
        Logs.runtime().warn("runtime '{}': no JMX view: {}", name, e.toString());
        return;
      }
    }
  }

  /** Sets {@link #JVM_MARKER}, unless a security manager forbids it (then tools attach blind). */
  private static void mark() {
    try {
      System.setProperty(JVM_MARKER, TYPE);
    } catch (SecurityException refused) {
      // The view is registered all the same: a JMX client that looks finds it.
    }
  }

  /** Removes this view from the MBean server; harmless if it is not there. */
  synchronized void unregister() {
    closed = true;
    ObjectName objectName = registered;
    registered = null;
    if (objectName == null) {
      return;
    }
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
    } catch (InstanceNotFoundException gone) {
      // Unregistered already (by a tool, say).
    } catch (JMException | RuntimeException e) {
      Logs.runtime()
          .warn(
              "runtime '{}': removing the JMX view {} failed: {}", name, objectName, e.toString());
    }
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public long getCatalogGeneration() {
    return generation;
  }

  @Override
  public String getCatalogHome() {
    return home;
  }

  @Override
  public boolean isFollowingCatalog() {
    return following;
  }

  @Override
  public Map<Integer, Integer> getCounts() {
    return counts.get();
  }

  @Override
  public List<ProviderInfo> getProviders() {
    List<ProviderInfo> out = new ArrayList<>();
    // A runtime following its catalog may hold an old and a new provider of one entry id: both
    // show.
    slots.stream()
        .sorted(Comparator.comparingInt((ProviderSlot s) -> s.entry().id()))
        .forEach(
            s -> {
              int loads = s.loads();
              if (loads > 0) {
                out.add(
                    new ProviderInfo(
                        s.entry().id(),
                        s.entry().name(),
                        s.state().name(),
                        s.count(),
                        loads,
                        TimeUnit.NANOSECONDS.toMicros(s.lastLoadNanos())));
              }
            });
    return out;
  }

  @Override
  public List<EntryInfo> getEntries() {
    Map<CatalogEntry, Integer> open = sessions.byEntry();
    Map<CatalogEntry, Integer> socketsOpen = sockets.byEntry();
    Set<CatalogEntry> all = new TreeSet<>(Comparator.comparingInt(CatalogEntry::id));
    all.addAll(open.keySet());
    all.addAll(socketsOpen.keySet());
    List<EntryInfo> out = new ArrayList<>();
    all.forEach(
        e ->
            out.add(
                new EntryInfo(
                    e.id(), e.name(), open.getOrDefault(e, 0), socketsOpen.getOrDefault(e, 0))));
    return out;
  }

  @Override
  public int getOpenSessions() {
    return sessions.size();
  }

  @Override
  public int getOpenSockets() {
    return sockets.byEntry().values().stream().mapToInt(Integer::intValue).sum();
  }

  @Override
  public long getBytesUndelivered() {
    return log.undelivered();
  }

  @Override
  public Map<String, Long> getFailures() {
    return log.failures();
  }
}
