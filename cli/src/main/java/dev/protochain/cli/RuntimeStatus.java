package dev.protochain.cli;

import dev.protochain.runtime.ChainRuntimeMXBean;
import dev.protochain.runtime.ChainRuntimeMXBean.EntryInfo;
import dev.protochain.runtime.ChainRuntimeMXBean.ProviderInfo;
import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.management.InstanceNotFoundException;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * What {@code protochain status} shows of one runtime, read once from its {@link
 * ChainRuntimeMXBean}. Its components are the JSON fields of {@code status --json}.
 *
 * @param name the runtime's name
 * @param objectName the JMX object name of its view
 * @param catalogGeneration the generation of the catalog in use; 0 if not read from a home
 * @param catalogHome the home the catalog comes from; empty if none
 * @param followingCatalog whether the runtime takes each new generation of its home's catalog
 * @param openSessions the sessions open
 * @param openSockets the chain sockets open
 * @param bytesUndelivered what final cleanups could not deliver, since the runtime was built
 * @param failures failed startups and cleanups by error code, since the runtime was built
 * @param entries each entry with open sessions or sockets
 * @param providers each provider loaded at least once, with its count
 */
record RuntimeStatus(
    String name,
    String objectName,
    long catalogGeneration,
    String catalogHome,
    boolean followingCatalog,
    int openSessions,
    int openSockets,
    long bytesUndelivered,
    Map<String, Long> failures,
    List<EntryInfo> entries,
    List<ProviderInfo> providers) {

  /**
   * Reads every runtime registered in {@code server}, by object name; one that closes while it is
   * read is left out.
   *
   * @throws IOException if the connection fails
   */
  static List<RuntimeStatus> readAll(MBeanServerConnection server) throws IOException {
    ObjectName pattern;
    try {
      pattern = new ObjectName(ChainRuntimeMXBean.TYPE + ",*");
    } catch (MalformedObjectNameException e) {
      throw new AssertionError(e);
    }
    List<RuntimeStatus> out = new ArrayList<>();
    for (ObjectName name : new TreeSet<>(server.queryNames(pattern, null))) {
      ChainRuntimeMXBean view = JMX.newMXBeanProxy(server, name, ChainRuntimeMXBean.class);
      try {
        out.add(
            new RuntimeStatus(
                view.getName(),
                name.getCanonicalName(),
                view.getCatalogGeneration(),
                view.getCatalogHome(),
                view.isFollowingCatalog(),
                view.getOpenSessions(),
                view.getOpenSockets(),
                view.getBytesUndelivered(),
                new TreeMap<>(view.getFailures()),
                view.getEntries(),
                view.getProviders()));
      } catch (UndeclaredThrowableException e) {
        if (e.getCause() instanceof InstanceNotFoundException) {
          continue; // closed since the query
        }
        if (e.getCause() instanceof IOException) {
          throw (IOException) e.getCause();
        }
        // A view this command does not know (another protochain version, say).
        throw new IOException(name + ": " + Main.oneLine(e.getCause()), e.getCause());
      }
    }
    return out;
  }
}
