package dev.protochain.runtime.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the recording providers of one test share: the event log (each hook appends {@code "<hook>
 * <provider>"}), the faults to inject, per-provider load and unload counters, and every contract
 * violation seen (a hook called on an instance that is not loaded). Thread-safe.
 */
public final class Recorder {

  private final List<String> events = new ArrayList<>();
  private final Set<String> faults = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> unloads = new ConcurrentHashMap<>();
  private final List<String> violations = new ArrayList<>();
  private volatile boolean logEvents = true;

  /** Stops appending to the event log (counters and violations still count); for stress tests. */
  public Recorder quiet() {
    logEvents = false;
    return this;
  }

  /** Makes {@code provider} fail at {@code phase} from now on. */
  public Recorder failOn(String provider, Phase phase) {
    faults.add(provider + " " + phase);
    return this;
  }

  /** Stops every injected failure. */
  public void heal() {
    faults.clear();
  }

  void hook(String provider, Phase phase) throws IOException {
    record(phase.name().toLowerCase(java.util.Locale.ROOT) + " " + provider);
    if (faults.contains(provider + " " + phase)) {
      throw new IOException(provider + " fails at " + phase + " (injected)");
    }
  }

  /** Fails like {@link #hook} but records nothing: for data-path operations, called often. */
  void fault(String provider, Phase phase) throws IOException {
    if (!faults.isEmpty() && faults.contains(provider + " " + phase)) {
      throw new IOException(provider + " fails at " + phase + " (injected)");
    }
  }

  void hookUnchecked(String provider, Phase phase) {
    record(phase.name().toLowerCase(java.util.Locale.ROOT) + " " + provider);
    if (faults.contains(provider + " " + phase)) {
      throw new IllegalStateException(provider + " fails at " + phase + " (injected)");
    }
  }

  void record(String event) {
    if (logEvents) {
      synchronized (events) {
        events.add(event);
      }
    }
  }

  void loaded(String provider) {
    loads.computeIfAbsent(provider, k -> new AtomicInteger()).incrementAndGet();
  }

  void unloaded(String provider) {
    unloads.computeIfAbsent(provider, k -> new AtomicInteger()).incrementAndGet();
  }

  void violation(String what) {
    synchronized (violations) {
      violations.add(what);
    }
  }

  /** Returns the events so far, in order. */
  public List<String> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  /** Returns the events so far that start with one of {@code prefixes}, in order. */
  public List<String> events(String... prefixes) {
    List<String> out = new ArrayList<>();
    for (String e : events()) {
      for (String p : prefixes) {
        if (e.startsWith(p + " ")) {
          out.add(e);
          break;
        }
      }
    }
    return out;
  }

  /** Clears the event log. */
  public void clearEvents() {
    synchronized (events) {
      events.clear();
    }
  }

  /** Returns how many times {@code provider} loaded. */
  public int loads(String provider) {
    AtomicInteger n = loads.get(provider);
    return n == null ? 0 : n.get();
  }

  /** Returns how many times {@code provider} unloaded. */
  public int unloads(String provider) {
    AtomicInteger n = unloads.get(provider);
    return n == null ? 0 : n.get();
  }

  /** Returns every contract violation seen. */
  public List<String> violations() {
    synchronized (violations) {
      return List.copyOf(violations);
    }
  }
}
