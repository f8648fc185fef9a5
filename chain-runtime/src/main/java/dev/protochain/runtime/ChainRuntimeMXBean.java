package dev.protochain.runtime;

import java.util.List;
import java.util.Map;
import javax.management.ConstructorParameters;

/**
 * The JMX view of one {@link ChainRuntime}, registered in the platform MBean server as {@code
 * dev.protochain:type=ChainRuntime,name=<runtime name>-<n>} ({@code n} makes the name unique in the
 * JVM) from shortly after the runtime's build (in the JDK's common pool: the platform MBean
 * server's first use is slow) until its close, and readable from outside the process ({@code
 * jconsole}, a JMX connector). Every attribute is read when asked; none changes the runtime.
 */
public interface ChainRuntimeMXBean {

  /** The domain and type of every runtime's object name: {@value}. */
  String TYPE = "dev.protochain:type=ChainRuntime";

  /**
   * The system property ({@value}) set to {@link #TYPE} in a JVM once a runtime's view is
   * registered there, and never cleared: a tool outside the process ({@code protochain status})
   * reads it among the JVM's system properties to tell a JVM that runs protochain without starting
   * that JVM's management agent.
   */
  String JVM_MARKER = "dev.protochain.jmx";

  /** Returns the runtime's name, as given to its builder. */
  String getName();

  /** Returns the generation of the catalog in use, or 0 if it was not read from a home. */
  long getCatalogGeneration();

  /** Returns the protochain home the catalog comes from, or an empty string if none. */
  String getCatalogHome();

  /**
   * Returns whether the runtime follows its home's catalog, its next startups taking each new
   * generation ({@link ChainRuntime.Builder#followCatalog}).
   */
  boolean isFollowingCatalog();

  /**
   * Returns the count of every provider entry loaded at least once, by entry id, as {@link
   * ChainRuntime#counts()}.
   */
  Map<Integer, Integer> getCounts();

  /** Returns every provider loaded at least once, by entry id. */
  List<ProviderInfo> getProviders();

  /** Returns each base or chain entry with open sessions or sockets, by entry id. */
  List<EntryInfo> getEntries();

  /** Returns the sessions open now. */
  int getOpenSessions();

  /** Returns the chain sockets open now. */
  int getOpenSockets();

  /**
   * Returns the bytes final cleanups could not deliver before their drain deadline, since the
   * runtime was built.
   */
  long getBytesUndelivered();

  /**
   * Returns how many startups and cleanups failed, by error code ({@code VERSION_NOT_SUPPORTED},
   * {@code PROVIDER_FAILED_INIT}, ...), since the runtime was built; a cleanup's failures count
   * once each.
   */
  Map<String, Long> getFailures();

  /** One provider of a runtime: its own entry, state, count and loads. Immutable. */
  final class ProviderInfo {
    private final int entry;
    private final String name;
    private final String state;
    private final int count;
    private final int loads;
    private final long lastLoadMicros;

    /** Creates the view of one provider. */
    @ConstructorParameters({"entry", "name", "state", "count", "loads", "lastLoadMicros"})
    public ProviderInfo(
        int entry, String name, String state, int count, int loads, long lastLoadMicros) {
      this.entry = entry;
      this.name = name;
      this.state = state;
      this.count = count;
      this.loads = loads;
      this.lastLoadMicros = lastLoadMicros;
    }

    /** Returns the id of the provider's own entry (a layer's own entry or a base entry). */
    public int getEntry() {
      return entry;
    }

    /** Returns the entry's name. */
    public String getName() {
      return name;
    }

    /** Returns the provider's {@link ProviderState}, by name. */
    public String getState() {
      return state;
    }

    /** Returns the provider's count. */
    public int getCount() {
      return count;
    }

    /** Returns how many times the provider was loaded. */
    public int getLoads() {
      return loads;
    }

    /** Returns how long its last load took, in microseconds. */
    public long getLastLoadMicros() {
      return lastLoadMicros;
    }

    /** Returns {@code trace (entry 2001) RUNNING count 2, 1 loads, last 1200 us}. */
    @Override
    public String toString() {
      return name
          + " (entry "
          + entry
          + ") "
          + state
          + " count "
          + count
          + ", "
          + loads
          + " loads, last "
          + lastLoadMicros
          + " us";
    }
  }

  /** One base or chain entry of a runtime: the sessions and chain sockets open on it. Immutable. */
  final class EntryInfo {
    private final int entry;
    private final String name;
    private final int sessions;
    private final int sockets;

    /** Creates the view of one entry. */
    @ConstructorParameters({"entry", "name", "sessions", "sockets"})
    public EntryInfo(int entry, String name, int sessions, int sockets) {
      this.entry = entry;
      this.name = name;
      this.sessions = sessions;
      this.sockets = sockets;
    }

    /** Returns the entry's id. */
    public int getEntry() {
      return entry;
    }

    /** Returns the entry's name. */
    public String getName() {
      return name;
    }

    /** Returns the sessions open on the entry. */
    public int getSessions() {
      return sessions;
    }

    /** Returns the chain sockets open on the entry. */
    public int getSockets() {
      return sockets;
    }

    /** Returns {@code tls-tcp4 (entry 3001): 2 sessions, 5 sockets}. */
    @Override
    public String toString() {
      return name + " (entry " + entry + "): " + sessions + " sessions, " + sockets + " sockets";
    }
  }
}
