package dev.protochain.cli;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.Protocol;
import dev.protochain.api.Session;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.layers.trace.TraceLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LifecycleEvent;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Runs an echo server and client on 127.0.0.1 over the chain [trace, coalesce, tcp4], printing the
 * catalog, each provider's count after each step, the bytes echoed and their SHA-256, and the
 * cascade of unloads at the end. It uses a catalog of its own, in memory: the home's catalog is
 * neither read nor changed.
 */
final class DemoCommand implements Callable<Integer> {

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "demo",
          "Echo random bytes over [trace, coalesce, tcp4] on 127.0.0.1 and show the lifecycle.");

  private final OptionSpec bytes =
      CommandSpecs.add(
          spec,
          CommandSpecs.option(
                  "--bytes", "N", "How many random bytes to echo (default: ${DEFAULT-VALUE}).")
              .type(long.class)
              .converters(new Ranges.ByteCount())
              .defaultValue("1048576"));

  private PrintWriter out;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    Catalog catalog = demoCatalog();
    CatalogEntry chain =
        catalog.select(AddressFamily.INET, SocketType.STREAM, Protocol.TCP, false).orElseThrow();
    List<CatalogEntry> providers = catalog.resolve(chain);

    out.println(
        "protochain demo: an echo server and client on 127.0.0.1 over the chain "
            + CatalogTable.chain(chain, catalog).replace(" > ", ", ").replaceFirst("^", "[")
            + "]");
    out.println();
    out.println(
        "catalog (in memory; selecting inet/stream/tcp gets entry "
            + chain.id()
            + " '"
            + chain.name()
            + "'):");
    out.print(CatalogTable.format(catalog).indent(2));
    out.println();

    ChainRuntime runtime =
        ChainRuntime.builder().name("demo").catalog(catalog).listener(this::lifecycle).build();
    ExecutorService pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = runtime.threadFactory().newThread(r);
              t.setName("protochain-demo");
              return t;
            });
    try {
      Session server = runtime.startup(AddressFamily.INET, SocketType.STREAM, Protocol.TCP);
      step(
          "startup",
          "server session on entry " + server.entry().id() + " v" + server.version(),
          runtime,
          providers);
      ChainSocket listener = server.open();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      listener.listen(1);
      Future<Long> echoed = pool.submit(() -> echo(listener));

      Session client = runtime.startup(AddressFamily.INET, SocketType.STREAM, Protocol.TCP);
      step(
          "startup",
          "client session on entry " + client.entry().id() + " v" + client.version(),
          runtime,
          providers);

      long bytes = this.bytes.getValue();
      byte[] payload = new byte[(int) Math.min(bytes, Integer.MAX_VALUE - 8)];
      new Random(20261126L).nextBytes(payload);
      byte[] sent = sha256(payload, payload.length);
      ByteBuffer back = ByteBuffer.allocate(payload.length);
      try (ChainSocket socket = client.open()) {
        socket.connect(listener.localAddress());
        Future<Void> sending =
            pool.submit(
                () -> {
                  ByteBuffer src = ByteBuffer.wrap(payload);
                  while (src.hasRemaining()) {
                    ByteBuffer chunk = src.slice();
                    chunk.limit(Math.min(chunk.remaining(), 16 * 1024));
                    socket.sendFully(chunk);
                    src.position(src.position() + chunk.position());
                  }
                  socket.shutdownOutput();
                  return null;
                });
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        while (true) {
          sink.clear();
          int n = socket.receive(sink);
          if (n < 0) {
            break;
          }
          sink.flip();
          if (sink.remaining() > back.remaining()) {
            throw new IOException("the echo returned more bytes than were sent");
          }
          back.put(sink);
        }
        sending.get(60, TimeUnit.SECONDS);
      }
      long serverCount = echoed.get(60, TimeUnit.SECONDS);
      byte[] received = sha256(back.array(), back.position());
      boolean verified = back.position() == payload.length && MessageDigest.isEqual(sent, received);
      out.printf(
          "%-8s %d bytes sent, %d echoed by the server, %d received; sha-256 %s %s%n",
          "echo",
          payload.length,
          serverCount,
          back.position(),
          HexFormat.of().formatHex(received).substring(0, 16),
          verified
              ? "verified"
              : "MISMATCH (sent " + HexFormat.of().formatHex(sent).substring(0, 16) + ")");

      client.close();
      step("cleanup", "client session", runtime, providers);
      listener.close();
      out.println("cleanup  server session: the last cleanup cascades down the chain, top first:");
      out.flush();
      server.close();
      step("done", "every provider unloaded", runtime, providers);
      return verified ? Main.OK : Main.REFUSED;
    } finally {
      pool.shutdownNow();
      runtime.close();
    }
  }

  private void lifecycle(LifecycleEvent e) {
    if (e.type() == LifecycleEvent.Type.LOAD) {
      out.printf("  load     %s (entry %d)%n", e.provider().name(), e.provider().id());
    } else if (e.type() == LifecycleEvent.Type.UNLOAD) {
      out.printf("  unload   %s (entry %d)%n", e.provider().name(), e.provider().id());
    } else if (e.type() == LifecycleEvent.Type.UNDELIVERED
        || e.type() == LifecycleEvent.Type.FAILURE) {
      out.printf(
          "  %-8s %s (entry %d): %s%n",
          e.type().name().toLowerCase(java.util.Locale.ROOT),
          e.provider().name(),
          e.provider().id(),
          e.failure() == null ? e.detail() : e.failure().getMessage());
    }
    out.flush();
  }

  private void step(String verb, String what, ChainRuntime runtime, List<CatalogEntry> providers) {
    StringBuilder counts = new StringBuilder();
    for (CatalogEntry p : providers) {
      counts
          .append(counts.length() == 0 ? "" : " ")
          .append(p.name())
          .append('=')
          .append(runtime.count(p.id()));
    }
    out.printf("%-8s %-40s counts: %s%n", verb, what, counts);
    out.flush();
  }

  private static long echo(ChainSocket listener) throws IOException {
    long total = 0;
    try (ChainSocket peer = listener.accept()) {
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      while (true) {
        buf.clear();
        int n = peer.receive(buf);
        if (n < 0) {
          break;
        }
        buf.flip();
        total += buf.remaining();
        peer.sendFully(buf);
      }
      peer.shutdownOutput();
    }
    return total;
  }

  /** Returns the built-in catalog with coalesce installed over tcp4, then trace over that chain. */
  static Catalog demoCatalog() throws IOException {
    ProviderDescriptor coalesce = ProviderDescriptor.of(CoalesceLayer.class);
    ProviderDescriptor trace = ProviderDescriptor.of(TraceLayer.class);
    Catalog c =
        Catalog.builtin().installLayer(coalesce.name(), coalesce.id(), Map.of(), List.of(1001));
    int coalesceOverTcp4 = c.entry("coalesce-tcp4").orElseThrow().id();
    c = c.installLayer(trace.name(), trace.id(), Map.of(), List.of(coalesceOverTcp4));
    return c.checkValid("demo catalog");
  }

  private static byte[] sha256(byte[] data, int length) throws NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(data, 0, length);
    return md.digest();
  }
}
