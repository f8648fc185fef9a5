package dev.protochain.samples;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.PluginStore;
import dev.protochain.runtime.UnloadCheck;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Installs the sample plugin (the PROXY protocol layer in {@code samples/proxy-protocol}) into a
 * temporary protochain home, as {@code protochain catalog install --plugin} does, runs a connection
 * over [proxy-protocol, tcp4], and proves the plugin unloaded afterwards. Run it with {@code
 * samples/run plugin}.
 */
public final class PluginSample {

  private PluginSample() {}

  /** Runs the sample with the jar the build copied to {@code samples/examples/target/plugins}. */
  public static void main(String[] args) throws Exception {
    dev.protochain.runtime.LauncherDefaults.apply();
    Path jar =
        Path.of(args.length > 0 ? args[0] : "samples/examples/target/plugins/proxy-protocol.jar");
    System.exit(run(jar, System.out));
  }

  /** Runs the sample with the plugin {@code jar}, printing to {@code out}; returns 0 on success. */
  public static int run(Path jar, PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory("protochain-plugin-sample");
    try {
      ProtochainHome home = ProtochainHome.of(dir);
      PluginRecord record = home.plugins().add(jar); // kept under its SHA-256
      ProviderDescriptor layer = PluginStore.inspect(jar);
      CatalogStore store = CatalogStore.open(home);
      store.update(
          "install the sample plugin",
          c -> c.withPlugin(record).install(layer, Map.of(), List.of(1001)).catalog());
      Catalog catalog = store.read().catalog();
      out.println(
          "installed "
              + record
              + " from "
              + jar.getFileName()
              + ", sha-256 "
              + record.sha256().substring(0, 16)
              + "…, as chain "
              + catalog.entry("proxy-protocol-tcp4").orElseThrow());

      UnloadCheck check = new UnloadCheck();
      exchange(catalog, check.track(home.plugins().source(catalog.plugins())), out);
      UnloadCheck.Report report = check.verify(100);
      out.println(report);
      return report.clean() ? 0 : 1;
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  // A method of its own, so that nothing of the connection stays reachable while the unload is
  // checked.
  private static void exchange(
      Catalog catalog, dev.protochain.runtime.ProviderSource plugins, PrintStream out)
      throws IOException {
    try (ChainRuntime runtime = ChainRuntime.builder().catalog(catalog).source(plugins).build();
        Session session = runtime.startup("proxy-protocol-tcp4");
        ChainSocket listener = session.open();
        ChainSocket client = session.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      listener.listen(1);
      client.connect(listener.localAddress());
      client.sendFully(
          ByteBuffer.wrap("hello through a plugin\n".getBytes(StandardCharsets.US_ASCII)));
      client.shutdownOutput();
      try (ChainSocket server = listener.accept()) {
        ByteBuffer got = ByteBuffer.allocate(64);
        while (server.receive(got) >= 0) {
          // read to the end of the stream
        }
        out.print(
            "the server read: "
                + new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII));
        out.println(
            "the server sees the client as " + server.remoteAddress() + " (from the PROXY header)");
      }
    }
  }
}
