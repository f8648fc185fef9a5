package dev.protochain.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import dev.protochain.testkit.PostgresServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Unmodified clients in JVMs started with {@code -javaagent:protochain-agent.jar}, layered over
 * {@code [metrics, fault, coalesce, tcp4]}, against servers in this JVM (which has no agent): the
 * JDK's HttpServer and a real PostgreSQL, each behind a {@link CountingProxy} that counts what
 * crosses the wire (issue 14). Runs on the JDK of the failsafe pass, so on 17 and on 25.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentIT {

  static final String CHAIN = "metrics-fault-coalesce-tcp4";
  static final byte[] GET_BODY = getBody();

  @TempDir static Path dir;
  static HttpServer http;
  static PostgresServer postgres;
  static Path home;
  static Path resetHome;

  @BeforeAll
  static void servers() throws Exception {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    http.setExecutor(Executors.newCachedThreadPool());
    http.createContext("/get", e -> respond(e, GET_BODY));
    http.createContext(
        "/post",
        e -> {
          byte[] body = e.getRequestBody().readAllBytes();
          respond(e, (body.length + " " + sha256(body)).getBytes(StandardCharsets.UTF_8));
        });
    http.start();
    postgres = PostgresServer.start();
    home = home(dir, "home", "0");
    resetHome = home(dir, "reset-home", "1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (http != null) {
      http.stop(0);
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  /*
   * ---- 1, 2, 4, 5: same bytes, counted by the chain as the server counts them; the sockets
   * report the server as their peer (mode peer) ----
   */

  @ParameterizedTest
  @ValueSource(strings = {"httpclient", "netty", "urlconnection", "jdbc", "peer"})
  void layeredClientGetsTheSameBytesAndTheChainCountsWhatTheServerCounts(String client)
      throws Exception {
    assertLayeredAsPlain(client, "");
  }

  /** The same over a relay whose threads are platform threads, the JDK's virtual ones or not. */
  @Test
  void platformThreadsRelayTheSameBytes() throws Exception {
    assertLayeredAsPlain("httpclient", ",platform-threads");
  }

  private void assertLayeredAsPlain(String client, String moreArgs) throws Exception {
    // The plain run (no agent, the bytes to expect) and the layered run go on at the same time,
    // each through a proxy of its own, so the pair takes one client JVM's time.
    try (CountingProxy plainProxy = proxyFor(client);
        CountingProxy proxy = proxyFor(client)) {
      Started plainStarted = start(client, target(client, plainProxy.port()), null);
      Path report = dir.resolve(client + moreArgs.replace(',', '-') + "-report.json");
      Run layered = layered(client, proxy.port(), home, report, moreArgs);
      Run plain = plainStarted.await();
      plain.assertSucceeded();
      assertTrue(plainProxy.awaitIdle(20));
      layered.assertSucceeded();
      assertArrayEquals(plain.received, layered.received, "what the client received");
      assertEquals("", layered.stderr, "standard error of the client with the agent");
      assertFalse(layered.stdout.contains("IllegalSelectorException"), layered.stdout);
      Report r = Report.read(report);
      assertTrue(
          proxy.awaitIdle((int) r.number("startups"), 20), "the server side's connections ended");
      assertEquals(proxy.connections.get(), r.number("connections"), "connections redirected");
      assertEquals(proxy.connections.get(), r.number("startups"), "one startup per connection");
      assertEquals(0, r.number("failures"), r.text);
      assertEquals(proxy.up.get(), r.number("bytesSent"), "bytes the server received");
      assertEquals(proxy.down.get(), r.number("bytesReceived"), "bytes the server sent");
      assertTrue(r.flag("allRelaysEnded"), r.text);
      assertTrue(r.countsAllZero(), "every provider count 0: " + r.text);
      assertTrue(r.flag("unloadClean"), r.text);
    }
  }

  /* ---- 3: a chain that resets every connection fails every client its usual way ---- */

  @ParameterizedTest
  @ValueSource(strings = {"httpclient", "netty", "urlconnection", "jdbc"})
  void resettingChainFailsTheClientWithItsUsualIoException(String client) throws Exception {
    try (CountingProxy proxy = proxyFor(client)) {
      Path report = dir.resolve(client + "-reset-report.json");
      Run layered = layered(client, proxy.port(), resetHome, report, "");
      assertEquals(2, layered.exit, "the client failed: " + layered.stdout + layered.stderr);
      assertTrue(
          layered.stdout.lines().findFirst().orElse("").contains("(io)"),
          "an IOException (or one caused by it): " + layered.stdout);
      assertEquals("", layered.stderr, "standard error of the client with the agent");
      Report r = Report.read(report);
      assertTrue(r.number("startups") >= 1, r.text);
      assertTrue(r.countsAllZero(), r.text);
      assertTrue(r.flag("unloadClean"), r.text);
    }
  }

  /* ---- 6: a closed port fails within the client's own timeout ---- */

  @Test
  void closedPortFailsWithinTheClientsTimeout() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Path report = dir.resolve("closed-report.json");
    for (String client : List.of("httpclient", "urlconnection")) {
      long start = System.nanoTime();
      Run layered = layered(client, closed, home, report, "");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(2, layered.exit, layered.stdout + layered.stderr);
      assertTrue(layered.stdout.lines().findFirst().orElse("").contains("(io)"), layered.stdout);
      Matcher m = Pattern.compile("FAILED after (\\d+) ms").matcher(layered.stdout);
      assertTrue(m.find(), layered.stdout);
      assertTrue(Long.parseLong(m.group(1)) < 5_000, "within the client's 5 s: " + layered.stdout);
      assertEquals("", layered.stderr);
      assertTrue(millis < 60_000);
      Report r = Report.read(report);
      assertTrue(r.countsAllZero(), r.text);
    }
  }

  /* ---- 7: a destination the rules exclude goes direct ---- */

  @Test
  void excludedDestinationGoesDirect() throws Exception {
    try (CountingProxy proxy = proxyFor("httpclient")) {
      Path report = dir.resolve("except-report.json");
      Run layered =
          layered(
              "httpclient",
              proxy.port(),
              home,
              report,
              ",except=10.0.0.0/8;127.0.0.1:" + proxy.port());
      layered.assertSucceeded();
      assertTrue(proxy.connections.get() >= 1, "the server saw the client");
      Report r = Report.read(report);
      assertEquals(0, r.number("connections"), r.text);
      assertEquals(0, r.number("startups"), r.text);
      assertEquals(0, r.number("bytesSent"), "the metrics layer counted nothing: " + r.text);
      assertTrue(r.number("direct") >= 1, r.text);
    }
  }

  /* ---- fixtures ---- */

  /** A home whose catalog has {@code [metrics, fault, coalesce, tcp4]} first for IPv4. */
  static Path home(Path dir, String name, String resetProbability) throws IOException {
    Path h = Files.createDirectories(dir.resolve(name));
    ProviderSource classpath = ProviderSource.classpath(AgentIT.class.getClassLoader());
    Catalog c = Catalog.builtin();
    c = install(c, classpath, "coalesce", Map.of(), "tcp4");
    c =
        install(
            c,
            classpath,
            "fault",
            Map.of("reset-probability", resetProbability, "seed", "7"),
            "coalesce-tcp4");
    c = install(c, classpath, "metrics", Map.of(), "fault-coalesce-tcp4");
    Catalog result = c;
    CatalogStore.open(ProtochainHome.of(h)).update("agent test chain", current -> result);
    return h;
  }

  static Catalog install(
      Catalog c, ProviderSource source, String layer, Map<String, String> settings, String over) {
    ProviderDescriptor d =
        source.descriptors().stream().filter(x -> x.name().equals(layer)).findFirst().orElseThrow();
    return c.installLayer(d.name(), d.id(), settings, List.of(c.entry(over).orElseThrow().id()));
  }

  static CountingProxy proxyFor(String client) throws IOException {
    return new CountingProxy(client.equals("jdbc") ? postgres.port() : http.getAddress().getPort());
  }

  static String target(String client, int port) {
    return client.equals("jdbc")
        ? "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=protochain&sslmode=disable"
        : "http://127.0.0.1:" + port;
  }

  /** What a client JVM did. */
  record Run(int exit, byte[] received, String stdout, String stderr) {
    void assertSucceeded() {
      assertEquals(0, exit, "the client failed:\n" + stdout + stderr);
    }
  }

  /**
   * Runs {@code client} against {@code port} with the agent over {@link #CHAIN} of {@code home}.
   */
  static Run layered(String client, int port, Path home, Path report, String moreArgs)
      throws Exception {
    return run(
        client,
        target(client, port),
        "home=" + home + ",entry=" + CHAIN + ",report=" + report + moreArgs);
  }

  static Run run(String client, String target, String agentArgs) throws Exception {
    return start(client, target, agentArgs).await();
  }

  /** Starts {@code client} in a JVM of its own; {@link Started#await} collects what it did. */
  static Started start(String client, String target, String agentArgs) throws IOException {
    Path out = Files.createTempFile(dir, client, ".out");
    Path stdout = Files.createTempFile(dir, client, ".stdout");
    Path stderr = Files.createTempFile(dir, client, ".stderr");
    return new Started(
        client, launch(client, target, agentArgs, out, stdout, stderr), out, stdout, stderr);
  }

  /** A client JVM on its way. */
  record Started(String client, Process process, Path out, Path stdout, Path stderr) {
    Run await() throws Exception {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(client + " did not finish: " + Files.readString(stdout));
      }
      return new Run(
          process.exitValue(),
          Files.readAllBytes(out),
          Files.readString(stdout),
          Files.readString(stderr));
    }
  }

  /**
   * Starts {@code Clients client target out} in a JVM of its own, with the agent and {@code
   * agentArgs} unless null, its standard streams going to {@code stdout} and {@code stderr}.
   */
  static Process launch(
      String client, String target, String agentArgs, Path out, Path stdout, Path stderr)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (agentArgs != null) {
      command.add("-javaagent:" + agentJar() + "=" + agentArgs);
    }
    // JDK 17's HttpClient has no close(): its idle connections end after a second instead.
    command.add("-Djdk.httpclient.keepalive.timeout=1");
    // HttpURLConnection would keep its connection in the keep-alive cache past the end of main.
    command.add("-Dhttp.keepAlive=false");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Clients.class.getName());
    command.add(client);
    command.add(target);
    command.add(out.toString());
    return new ProcessBuilder(command)
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile())
        .start();
  }

  static Path agentJar() {
    String jar = System.getProperty("protochain.agent.jar");
    assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "the packaged agent jar: " + jar);
    return Path.of(jar);
  }

  /** The agent's report, a flat JSON object. */
  record Report(String text) {
    static Report read(Path file) throws IOException {
      assertTrue(Files.exists(file), "the agent wrote its report " + file);
      Report r = new Report(Files.readString(file));
      System.out.println(
          file.getFileName() + " (JDK " + Runtime.version() + "): " + r.text.strip());
      return r;
    }

    long number(String key) {
      Matcher m = Pattern.compile("\"" + key + "\":(-?\\d+)").matcher(text);
      assertTrue(m.find(), key + " in " + text);
      return Long.parseLong(m.group(1));
    }

    boolean flag(String key) {
      Matcher m = Pattern.compile("\"" + key + "\":(true|false)").matcher(text);
      assertTrue(m.find(), key + " in " + text);
      return Boolean.parseBoolean(m.group(1));
    }

    boolean countsAllZero() {
      Matcher m = Pattern.compile("\"counts\":\\{([^}]*)\\}").matcher(text);
      assertTrue(m.find(), "counts in " + text);
      return Pattern.compile(":(\\d+)")
          .matcher(m.group(1))
          .results()
          .allMatch(r -> r.group(1).equals("0"));
    }
  }

  private static void respond(HttpExchange e, byte[] body) throws IOException {
    e.getResponseHeaders().set("Content-Type", "application/octet-stream");
    e.sendResponseHeaders(200, body.length);
    try (OutputStream out = e.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] getBody() {
    byte[] b = new byte[64 * 1024];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
