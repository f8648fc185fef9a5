package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.metrics.MetricsLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code protochain run -- java ... RunAgentClient} in a child process, with the agent the build
 * put beside the CLI's libraries: an unmodified {@code HttpClient} on JDK 17 and on JDK 25 gets its
 * answer from a server in this JVM, and the agent's report shows the connection crossed the chain
 * [metrics, tcp4].
 */
class RunAgentIT {

  private static final String BODY = "hello over the chain";

  @TempDir Path dir;

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private Path home;

  @BeforeEach
  void serverAndHome() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            requests.incrementAndGet();
            byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          }
        });
    server.start();
    home = dir.resolve("home");
    CatalogStore.open(ProtochainHome.of(home))
        .update(
            "RunAgentIT's chain",
            c ->
                c.installLayer(
                    "metrics",
                    ProviderDescriptor.of(MetricsLayer.class).id(),
                    Map.of(),
                    List.of(Catalog.builtin().entry("tcp4").orElseThrow().id())));
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void anUnmodifiedHttpClientOnJdk17CrossesTheChain() throws Exception {
    crossesTheChain(Path.of(System.getProperty("java.home"), "bin", "java"));
  }

  @Test
  void anUnmodifiedHttpClientOnJdk25CrossesTheChain() throws Exception {
    crossesTheChain(Jdks.java25());
  }

  @Test
  void aDestinationTheRulesExceptGoesDirect() throws Exception {
    String json =
        run(Path.of(System.getProperty("java.home"), "bin", "java"), "--except", "127.0.0.0/8");
    assertEquals(0, number(json, "connections"), json);
    assertEquals(1, number(json, "direct"), json);
  }

  private void crossesTheChain(Path java) throws Exception {
    String json = run(java, "--entry", "metrics-tcp4");
    assertEquals(1, number(json, "connections"), json);
    assertEquals(1, number(json, "startups"), json);
    assertTrue(number(json, "bytesSent") > 0, json);
    assertTrue(number(json, "bytesReceived") > BODY.length(), json); // the answer, headers too
  }

  /**
   * Runs {@code protochain run OPTIONS --report FILE -- JAVA ... RunAgentClient URL 5}, checks what
   * a run always shows (the client's answer and exit code, nothing on standard error but the JVM's
   * note of JAVA_TOOL_OPTIONS) and returns the agent's report.
   */
  private String run(Path java, String... options) throws Exception {
    Path report = dir.resolve("report.json");
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(List.of(options));
    args.addAll(
        List.of(
            "--report",
            report.toString(),
            "--",
            java.toString(),
            "-cp",
            Path.of(
                    RunAgentClient.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString(),
            RunAgentClient.class.getName(),
            "http://127.0.0.1:" + server.getAddress().getPort() + "/",
            "5"));
    ProcessBuilder builder =
        new ProcessBuilder(Cli.childCommand(home, args.toArray(String[]::new)))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().remove(AgentLaunch.TOOL_OPTIONS);
    Process p = builder.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "protochain run did not end");
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertEquals(5, p.exitValue(), "the client's own exit code; stderr:\n" + stderr);
    assertEquals(BODY, Files.readString(out, StandardCharsets.UTF_8), stderr);
    assertEquals(1, requests.get());
    // The JVM's own note of JAVA_TOOL_OPTIONS, and nothing else: no warning, no agent chatter.
    assertTrue(
        stderr.lines().allMatch(l -> l.startsWith("Picked up JAVA_TOOL_OPTIONS: -javaagent:")),
        stderr);
    assertEquals(1, stderr.lines().count(), stderr);
    return Files.readString(report, StandardCharsets.UTF_8);
  }

  private static long number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json);
    assertTrue(m.find(), "no " + key + " in " + json);
    return Long.parseLong(m.group(1));
  }
}
