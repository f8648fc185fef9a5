package dev.protochain.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.metrics.MetricsLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent against the same unmodified client without it, in one run: {@link AgentClient} in
 * forked JVMs, with and without {@code -javaagent}, rounds alternating which goes first, against a
 * JDK {@code HttpServer} and a byte sink in this JVM. The agent carries each connection over {@code
 * [metrics, tcp4]} of a home of its own; the GET runs a third time with the agent's {@code
 * platform-threads}. The agent jar is {@code -Dprotochain.agent.jar}, which {@code benchmarks/run}
 * sets.
 */
final class AgentComparison {

  /** The chain every connection crosses under the agent. */
  static final String ENTRY = "metrics-tcp4";

  private static final byte[] BODY = "x".repeat(128).getBytes(StandardCharsets.US_ASCII);

  private AgentComparison() {}

  static void run(Report report, boolean quick) throws Exception {
    String jar = System.getProperty("protochain.agent.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "the agent part needs -Dprotochain.agent.jar=FILE naming the built agent (benchmarks/run"
              + " sets it), not "
              + jar);
    }
    int rounds = quick ? 3 : 10;
    int gets = quick ? 2_000 : 5_000;
    long upload = (quick ? 64L : 256L) << 20;
    Path home = Files.createTempDirectory("protochain-bench-agent");
    // Without it the JDK's HttpServer sends headers and body in two segments and Nagle's algorithm
    // meets the client's delayed ACK: some 40 ms per exchange, with or without the agent.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        exchange -> {
          try (exchange) {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, BODY.length);
            exchange.getResponseBody().write(BODY);
          }
        });
    http.start();
    try (ServerSocket sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread sinking = new Thread(() -> sink(sink), "agent-bench-sink");
      sinking.setDaemon(true);
      sinking.start();
      writeCatalog(home);
      String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
      String agent = "-javaagent:" + jar + "=home=" + home + ",entry=" + ENTRY;
      Map<String, List<String>> clients = new LinkedHashMap<>();
      clients.put("agent", List.of(agent));
      clients.put("plain", List.of());
      // The GET again with the relay on platform threads: on JDK 21 and later the difference
      // between this row and the first is what the virtual threads' wake-ups cost.
      clients.put("platform", List.of(agent + ",platform-threads"));
      Map<String, List<Double>> p50 = new LinkedHashMap<>();
      Map<String, List<Double>> mibs = new LinkedHashMap<>();
      for (int round = 0; round < rounds; round++) {
        List<String> order = new ArrayList<>(clients.keySet());
        Collections.rotate(order, round); // each goes first in turn
        for (String key : order) {
          List<String> options = clients.get(key);
          p50.computeIfAbsent(key, x -> new ArrayList<>())
              .add(client(options, "get", url, String.valueOf(gets / 2), String.valueOf(gets)));
          if (!key.equals("platform")) {
            mibs.computeIfAbsent(key, x -> new ArrayList<>())
                .add(
                    client(
                        options,
                        "upload",
                        "127.0.0.1",
                        String.valueOf(sink.getLocalPort()),
                        String.valueOf(upload)));
          }
        }
      }
      for (String key : List.of("agent", "platform")) {
        report.roundsRow(
            "HttpClient keep-alive GET p50, agent"
                + (key.equals("platform") ? " (platform-threads)" : "")
                + " over [metrics, tcp4] vs no agent",
            Report.micros(p50.get(key)),
            Report.micros(p50.get("plain")),
            p50.get(key),
            p50.get("plain"),
            1.20,
            false);
      }
      report.roundsRow(
          "upload in 64 KiB writes, agent over [metrics, tcp4] vs no agent",
          Report.mibs(mibs.get("agent")),
          Report.mibs(mibs.get("plain")),
          mibs.get("agent"),
          mibs.get("plain"),
          0.50,
          true);
    } finally {
      http.stop(0);
    }
  }

  /** Writes the built-in catalog with the metrics layer over tcp4 into {@code home}. */
  private static void writeCatalog(Path home) throws IOException {
    CatalogStore.open(ProtochainHome.of(home))
        .update(
            "the agent benchmark's chain",
            c ->
                c.installLayer(
                    "metrics",
                    ProviderDescriptor.of(MetricsLayer.class).id(),
                    Map.of(),
                    List.of(Catalog.builtin().entry("tcp4").orElseThrow().id())));
  }

  /** Runs {@link AgentClient} in a JVM of its own and returns the figure it prints. */
  private static double client(List<String> jvmOptions, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(
        Path.of(AgentClient.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString());
    command.add(AgentClient.class.getName());
    command.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(command).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || !err.isEmpty()) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "the agent benchmark's client " + command + " failed or warned:\n" + err);
    }
    return Double.parseDouble(new String(out, StandardCharsets.US_ASCII).strip());
  }

  /** Reads each connection to its end and answers with the count of bytes read. */
  private static void sink(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t =
            new Thread(
                () -> {
                  try (s) {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[64 * 1024];
                    long count = 0;
                    for (int n; (n = in.read(buf)) >= 0; ) {
                      count += n;
                    }
                    OutputStream out = s.getOutputStream();
                    new DataOutputStream(out).writeLong(count);
                    out.flush();
                  } catch (IOException e) {
                    // The client reports a short count or a reset itself.
                  }
                },
                "agent-bench-sink-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }
}
