package dev.protochain.agent.internal;

import dev.protochain.agent.boot.Hook;
import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Protocol;
import dev.protochain.api.SocketType;
import dev.protochain.layers.filter.AddressRule;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LauncherDefaults;
import dev.protochain.runtime.UnloadCheck;
import dev.protochain.runtime.internal.Threads;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The agent's runtime side, loaded in the agent's own class loader: reads the catalog, builds the
 * runtime, starts the {@link Redirector} and installs it as the hook's handler, and at exit writes
 * the report. Internal; {@link dev.protochain.agent.ProtochainAgent} calls {@link #start}.
 */
public final class AgentCore {

  private static final long EXIT_WAIT_MILLIS = 5_000;

  private final AgentArgs args;
  private volatile Selected selected;
  private final ChainRuntime runtime;
  private final UnloadCheck unloadCheck;
  private final Redirector redirector;
  private final MeterRegistry registry;

  private AgentCore(
      AgentArgs args,
      Map<AddressFamily, CatalogEntry> entries,
      ChainRuntime runtime,
      UnloadCheck unloadCheck,
      MeterRegistry registry,
      Redirector redirector) {
    this.args = args;
    this.selected = new Selected(runtime.catalog(), entries);
    this.runtime = runtime;
    this.unloadCheck = unloadCheck;
    this.registry = registry;
    this.redirector = redirector;
  }

  /**
   * Starts the agent's runtime with {@code text}, the agent's arguments, and returns whether
   * connects are to be advised (not in safe mode).
   *
   * @throws IllegalArgumentException naming the wrong argument and the fix, in one line
   */
  public static boolean start(String text, Instrumentation instrumentation) throws Exception {
    AgentArgs args = AgentArgs.parse(text);
    if (args.safeMode()) {
      say(args, "safe mode: the agent is loaded and layers no connection");
      if (args.report().isPresent()) {
        Path report = args.report().get();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(() -> write(report, "{\"safeMode\":true,\"connections\":0}\n")));
      }
      return false;
    }
    Catalog catalog = catalog(args);
    Map<AddressFamily, CatalogEntry> entries = entries(args, catalog);
    // This module may reflect on the JDK's socket implementation (the relay binds its sockets).
    Module self = AgentCore.class.getModule();
    instrumentation.redefineModule(
        Object.class.getModule(),
        Set.of(),
        Map.of(),
        Map.of("sun.nio.ch", Set.of(self), "java.net", Set.of(self)),
        Set.of(),
        Map.of());
    LauncherDefaults.applyToOwnGuice();
    UnloadCheck check = new UnloadCheck();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ChainRuntime.Builder builder =
        ChainRuntime.builder()
            .name("agent")
            .unloadCheck(check)
            .service(MeterRegistry.class, registry)
            .shutdownHook(false);
    CatalogStore store = CatalogStore.open(home(args));
    // A home with a catalog file is followed (its file exists, so reading it writes nothing).
    boolean follow = !args.noFollow() && Files.exists(store.file());
    if (follow) {
      builder.store(store).followCatalog(true);
    } else {
      builder.catalog(catalog).source(home(args).plugins().source(catalog.plugins()));
    }
    if (args.platformThreads()) {
      builder.threadFactory(Threads.platform("agent"));
      say(args, "the relay runs on platform threads (platform-threads)");
    }
    ChainRuntime runtime = builder.build();
    Redirector[] redirector = new Redirector[1];
    AgentCore[] core = new AgentCore[1];
    redirector[0] = new Redirector(runtime, destination -> core[0].select(destination));
    core[0] = new AgentCore(args, entries, runtime, check, registry, redirector[0]);
    Runtime.getRuntime().addShutdownHook(new Thread(core[0]::exit, "protochain-agent-exit"));
    Hook.handler = redirector[0];
    say(
        args,
        follow ? "following the catalog " + store.file() : "keeping the catalog it started with");
    sayLayering(args, entries);
    return true;
  }

  private static void sayLayering(AgentArgs args, Map<AddressFamily, CatalogEntry> entries) {
    entries.forEach(
        (family, entry) ->
            say(args, "layering " + family + " TCP connects over " + Catalog.label(entry)));
  }

  /**
   * Returns the entry each family's TCP connects are layered over in the catalog the runtime's next
   * startups use: selected again when a followed catalog's generation changes. A generation in
   * which the entry the arguments name is missing keeps the entries selected before, whose startup
   * then fails naming it.
   */
  @SuppressWarnings(
      "ReferenceEquality") // has the runtime swapped its catalog: identity is the question
  private Map<AddressFamily, CatalogEntry> entries() {
    Selected s = selected;
    Catalog now = runtime.catalog();
    if (s.catalog() != now) {
      Map<AddressFamily, CatalogEntry> entries = s.entries();
      try {
        entries = entries(args, now);
      } catch (IllegalArgumentException e) {
        say(args, "a new catalog generation: " + e.getMessage() + "; keeping " + entries.values());
      }
      if (!entries.equals(s.entries())) {
        sayLayering(args, entries);
      }
      s = new Selected(now, entries);
      selected = s;
    }
    return s.entries();
  }

  /** The entries selected in a catalog. */
  private record Selected(Catalog catalog, Map<AddressFamily, CatalogEntry> entries) {}

  private static ProtochainHome home(AgentArgs args) {
    return ProtochainHome.resolve(
        args.home(), System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** Reads the home's catalog without writing anything: a home without one has the built-in. */
  private static Catalog catalog(AgentArgs args) {
    ProtochainHome home = home(args);
    Path dir = home.directory();
    if (args.home().isPresent() && !(Files.isDirectory(dir) && Files.isReadable(dir))) {
      throw new IllegalArgumentException(
          "argument 'home': "
              + dir
              + " is not a readable directory (fix: home=DIR naming a protochain home, such as"
              + " one 'protochain catalog show --home DIR' reads)");
    }
    CatalogStore store = CatalogStore.open(home);
    if (!Files.exists(store.file())) {
      return Catalog.builtin();
    }
    try {
      return store.read().catalog();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "the catalog "
              + store.file()
              + " cannot be read: "
              + String.valueOf(e.getMessage()).replace('\n', ' ')
              + " (fix: 'protochain catalog verify' lists its problems; 'protochain catalog"
              + " restore' puts the backup back)",
          e);
    }
  }

  /** Returns the entry each family's TCP connects are layered over. */
  private static Map<AddressFamily, CatalogEntry> entries(AgentArgs args, Catalog catalog) {
    Map<AddressFamily, CatalogEntry> entries = new EnumMap<>(AddressFamily.class);
    if (args.entry().isPresent()) {
      String name = args.entry().get();
      Optional<CatalogEntry> entry = catalog.entry(name);
      if (entry.isEmpty() && name.matches("\\d{1,9}")) {
        entry = catalog.entry(Integer.parseInt(name));
      }
      if (entry.isEmpty()) {
        throw new IllegalArgumentException(
            "argument 'entry="
                + name
                + "': the catalog has no such entry (fix: an id or name"
                + " 'protochain catalog show' lists)");
      }
      CatalogEntry e = entry.get();
      if (!catalog.tcpStreamEntries().contains(e)) {
        throw new IllegalArgumentException(
            "argument 'entry="
                + name
                + "': "
                + Catalog.label(e)
                + " does not serve TCP streams (fix: name a base or chain entry of family INET"
                + " or INET6, type STREAM, protocol TCP)");
      }
      entries.put(e.family(), e);
      return entries;
    }
    for (AddressFamily family : new AddressFamily[] {AddressFamily.INET, AddressFamily.INET6}) {
      catalog
          .select(family, SocketType.STREAM, Protocol.TCP, false)
          .ifPresent(e -> entries.put(family, e));
    }
    return entries;
  }

  /** Returns the entry {@code destination} is layered over, or null to leave it alone. */
  private CatalogEntry select(InetSocketAddress destination) {
    InetSocketAddress reached = AddressRule.reached(destination);
    for (AddressRule rule : args.except()) {
      if (rule.matches(reached) || rule.matches(destination)) {
        return null;
      }
    }
    if (!args.only().isEmpty() && args.only().stream().noneMatch(r -> r.matches(reached))) {
      return null;
    }
    return entries()
        .get(
            reached.getAddress() instanceof Inet4Address
                ? AddressFamily.INET
                : AddressFamily.INET6);
  }

  /** Returns what the metrics layers counted: their meters outlive each unload. */
  private double counted(String suffix) {
    double sum = 0;
    for (Meter m : registry.getMeters()) {
      if (m instanceof Counter && m.getId().getName().endsWith(suffix)) {
        sum += ((Counter) m).count();
      }
    }
    return sum;
  }

  /** At exit: waits for the relays (when a report is asked for), closes the runtime, reports. */
  private void exit() {
    Hook.handler = null;
    boolean ended = false;
    Map<Integer, Integer> counts = Map.of();
    String unload = "not checked";
    boolean clean = false;
    try {
      // The listener stays open while waiting: a connect made just before exit is still accepted.
      ended = args.report().isEmpty() || redirector.awaitRelays(EXIT_WAIT_MILLIS);
      redirector.close();
      counts = new TreeMap<>(runtime.counts());
      long sent = (long) counted(".bytes.sent");
      long received = (long) counted(".bytes.received");
      runtime.close();
      if (args.report().isEmpty()) {
        return;
      }
      UnloadCheck.Report report = unloadCheck.verify(20);
      clean = report.clean();
      unload = report.toString();
      StringBuilder json = new StringBuilder("{");
      json.append("\"safeMode\":false");
      json.append(",\"connections\":").append(redirector.connections.get());
      json.append(",\"direct\":").append(redirector.direct.get());
      json.append(",\"startups\":").append(redirector.startups.get());
      json.append(",\"failures\":").append(redirector.failures.get());
      json.append(",\"bytesSent\":").append(sent);
      json.append(",\"bytesReceived\":").append(received);
      json.append(",\"allRelaysEnded\":").append(ended);
      json.append(",\"counts\":{");
      String sep = "";
      for (Map.Entry<Integer, Integer> c : counts.entrySet()) {
        json.append(sep).append('"').append(c.getKey()).append("\":").append(c.getValue());
        sep = ",";
      }
      json.append("},\"unloadClean\":").append(clean);
      json.append(",\"unload\":\"").append(escape(unload)).append("\"}\n");
      write(args.report().get(), json.toString());
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (args.report().isPresent()) {
        write(args.report().get(), "{\"error\":\"" + escape(e.toString()) + "\"}\n");
      }
    }
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println("protochain-agent: could not write the report " + file + ": " + e);
    }
  }

  private static void say(AgentArgs args, String line) {
    if (args.verbose()) {
      System.err.println("protochain-agent: " + line);
    }
  }
}
