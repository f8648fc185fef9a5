package dev.protochain.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent follows its home's catalog by default: a chain installed while an unmodified program
 * runs carries the program's next connection ({@code no-follow} keeps the catalog it started with).
 * The program makes one GET, the test installs {@code metrics} over the chain it used, and the
 * program makes a second GET; the metrics layer counts only what crossed it.
 */
@Timeout(180)
class AgentFollowIT {

  static final byte[] BODY = new byte[20_000];

  static HttpServer http;

  @TempDir Path dir;

  @BeforeAll
  static void server() throws Exception {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    http.createContext(
        "/get",
        e -> {
          e.sendResponseHeaders(200, BODY.length);
          try (OutputStream out = e.getResponseBody()) {
            out.write(BODY);
          }
        });
    http.start();
  }

  @AfterAll
  static void stop() {
    http.stop(0);
  }

  @Test
  void aChainInstalledWhileTheProgramRunsCarriesItsNextConnection() throws Exception {
    Run r = twice("verbose");
    assertTrue(r.stderr.contains("following the catalog"), r.stderr);
    assertTrue(
        r.stderr.contains("layering INET TCP connects over 3002 'metrics-coalesce-tcp4'"),
        "the second connect selected the new chain:\n" + r.stderr);
    assertTrue(
        r.report.number("bytesReceived") > BODY.length
            && r.report.number("bytesReceived") < 2L * BODY.length,
        "the metrics layer counted the second GET only: " + r.report.text());
    assertEquals(2, r.report.number("startups"), r.report.text());
    assertTrue(r.report.countsAllZero(), r.report.text());
    assertTrue(r.report.flag("unloadClean"), r.report.text());
  }

  @Test
  void noFollowKeepsTheCatalogItStartedWith() throws Exception {
    Run r = twice("verbose,no-follow");
    assertTrue(r.stderr.contains("keeping the catalog it started with"), r.stderr);
    assertEquals(0, r.report.number("bytesReceived"), r.report.text());
    assertEquals(2, r.report.number("startups"), r.report.text());
  }

  record Run(String stderr, AgentIT.Report report) {}

  /**
   * Runs {@code Clients twice} with the agent over a home whose catalog has [coalesce, tcp4], and
   * installs metrics over that chain between its two GETs.
   */
  Run twice(String moreArgs) throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    ProviderSource classpath = ProviderSource.classpath(AgentFollowIT.class.getClassLoader());
    CatalogStore store = CatalogStore.open(ProtochainHome.of(home));
    Catalog coalesce = AgentIT.install(Catalog.builtin(), classpath, "coalesce", Map.of(), "tcp4");
    store.update("coalesce over tcp4", c -> coalesce);
    Path out = dir.resolve("twice.out");
    Path stdout = dir.resolve("twice.stdout");
    Path stderr = dir.resolve("twice.stderr");
    Path report = dir.resolve("report.json");
    Process p =
        AgentIT.launch(
            "twice",
            "http://127.0.0.1:" + http.getAddress().getPort(),
            "home=" + home + ",report=" + report + "," + moreArgs,
            out,
            stdout,
            stderr);
    try {
      Path first = Path.of(out + ".first");
      for (int i = 0; i < 3000 && !Files.exists(first) && p.isAlive(); i++) {
        Thread.sleep(20);
      }
      assertTrue(Files.exists(first), "the first GET: " + Files.readString(stdout));
      store.update(
          "metrics over coalesce-tcp4",
          c -> AgentIT.install(c, classpath, "metrics", Map.of(), "coalesce-tcp4"));
      // The follower looks at the file every 100 ms; generations were measured taken within 190 ms.
      Thread.sleep(1_500);
      Files.writeString(Path.of(out + ".go"), "go\n");
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the client finished");
    } finally {
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), Files.readString(stdout) + Files.readString(stderr));
    return new Run(Files.readString(stderr), AgentIT.Report.read(report));
  }
}
