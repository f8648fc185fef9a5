package dev.protochain.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.coalesce.CoalesceLayer;
import dev.protochain.layers.metrics.MetricsLayer;
import dev.protochain.layers.trace.TraceLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LifecycleEvent;
import dev.protochain.runtime.ProviderState;
import dev.protochain.runtime.bridge.ChainSocketFactory;
import dev.protochain.runtime.bridge.RegisteredSocketFactory;
import dev.protochain.testkit.PostgresServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Existing clients over a chain through the SocketFactory bridge, each against a real server:
 * OkHttp against the JDK's HTTP server, and the PostgreSQL JDBC driver against a PostgreSQL server
 * the test starts. Each gets identical results with and without the chain.
 */
@Timeout(120)
class BridgeClientsTest {

  ChainRuntime runtime;
  final List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());

  final MeterRegistry meters = new SimpleMeterRegistry();
  int metricsLayer;

  @BeforeEach
  void start() throws IOException {
    ProviderDescriptor coalesce = ProviderDescriptor.of(CoalesceLayer.class);
    ProviderDescriptor trace = ProviderDescriptor.of(TraceLayer.class);
    ProviderDescriptor metrics = ProviderDescriptor.of(MetricsLayer.class);
    Catalog c = Catalog.builtin().installLayer("coalesce", coalesce.id(), Map.of(), List.of(1001));
    c =
        c.installLayer(
            "trace", trace.id(), Map.of(), List.of(c.entry("coalesce-tcp4").orElseThrow().id()));
    c =
        c.install(metrics, Map.of(), List.of(c.entry("trace-coalesce-tcp4").orElseThrow().id()))
            .catalog();
    runtime =
        ChainRuntime.builder()
            .catalog(c.checkValid("test"))
            .listener(events::add)
            .shutdownHook(false)
            .service(MeterRegistry.class, meters)
            .build();
    metricsLayer = c.entry("metrics").orElseThrow().id();
  }

  @AfterEach
  void stop() throws IOException {
    runtime.close();
  }

  /**
   * Waits until the client's closes have reached the runtime: every count 0, so the metrics layer
   * is unloaded (its meters stay in the application's registry).
   */
  void awaitAllClosed() throws InterruptedException {
    for (int i = 0; i < 100 && runtime.counts().values().stream().anyMatch(n -> n != 0); i++) {
      Thread.sleep(20);
    }
    assertEquals(0, runtime.count(1001), "closing the client's connections cleaned them up");
    assertEquals(0, runtime.count(metricsLayer));
    assertEquals(ProviderState.UNLOADED, runtime.state(metricsLayer));
  }

  double counted(String meter) {
    return meters.get("protochain." + meter).counter().count();
  }

  long startups(String provider) {
    return events.stream()
        .filter(
            e -> e.type() == LifecycleEvent.Type.STARTUP && e.provider().name().equals(provider))
        .count();
  }

  @Test
  void okHttpGetsTheSameResponsesOverTheChain() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] big = new byte[300_000];
    new java.util.Random(3).nextBytes(big);
    server.createContext(
        "/hello",
        x -> {
          byte[] body =
              ("hello " + x.getRequestMethod() + " " + x.getRequestURI())
                  .getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(200, body.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(body);
          }
        });
    server.createContext(
        "/big",
        x -> {
          x.sendResponseHeaders(200, big.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(big);
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      OkHttpClient plain = new OkHttpClient();
      OkHttpClient chained =
          new OkHttpClient.Builder()
              .socketFactory(ChainSocketFactory.forEntry(runtime, "metrics-trace-coalesce-tcp4"))
              .build();
      long bodies = 0;
      for (String path : List.of("/hello?x=1", "/hello?y=2", "/big")) {
        Request request = new Request.Builder().url(base + path).build();
        try (Response a = plain.newCall(request).execute();
            Response b = chained.newCall(request).execute()) {
          assertEquals(a.code(), b.code());
          byte[] body = b.body().bytes();
          assertTrue(java.util.Arrays.equals(a.body().bytes(), body), path);
          bodies += body.length;
        }
      }
      assertTrue(startups("trace") >= 1, "the chained client went through the chain");
      assertTrue(
          counted("bytes.received") > bodies,
          "the metrics layer counted every body byte and the headers: "
              + counted("bytes.received")
              + " for "
              + bodies
              + " body bytes");
      assertTrue(counted("bytes.sent") > 0);
      double sent = counted("bytes.sent");
      double received = counted("bytes.received");
      chained.connectionPool().evictAll();
      plain.connectionPool().evictAll();
      awaitAllClosed();
      assertEquals(sent, counted("bytes.sent"), "the meters outlive the layer's unload");
      assertEquals(received, counted("bytes.received"));

      try (Response again =
          chained.newCall(new Request.Builder().url(base + "/hello?z=3").build()).execute()) {
        assertEquals("hello GET /hello?z=3", again.body().string());
      }
      assertTrue(runtime.loads(metricsLayer) >= 2, "the layer loaded afresh");
      assertTrue(counted("bytes.received") > received, "and counts on in the same meters");
      assertTrue(counted("bytes.sent") > sent);
      chained.connectionPool().evictAll();
      awaitAllClosed();
    } finally {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
  }

  @Test
  void theJdbcDriverGetsTheSameResultsOverTheChain() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      RegisteredSocketFactory.register(
          "bridge-test", ChainSocketFactory.forEntry(runtime, "metrics-trace-coalesce-tcp4"));
      try {
        String chained =
            pg.url()
                + "&socketFactory="
                + RegisteredSocketFactory.class.getName()
                + "&socketFactoryArg=bridge-test";
        List<String> direct = queries(pg.url(), "direct");
        List<String> overChain = queries(chained, "chained");
        assertEquals(direct, overChain);
        assertEquals(1, startups("coalesce"), "the driver's connection went through the chain");
        awaitAllClosed();
        double sent = counted("bytes.sent");
        double received = counted("bytes.received");
        assertTrue(
            received > 300 && sent > 300,
            "the metrics layer counted the traffic, readable after the connection closed and the"
                + " layer unloaded: "
                + sent
                + " sent, "
                + received
                + " received");

        assertEquals(direct, queries(chained, "again"));
        awaitAllClosed();
        assertEquals(2, runtime.loads(metricsLayer), "one load per connection");
        assertTrue(
            counted("bytes.sent") > sent + 300 && counted("bytes.received") > received + 300,
            "the second connection's bytes were added to the first's: "
                + counted("bytes.sent")
                + " sent, "
                + counted("bytes.received")
                + " received");
      } finally {
        RegisteredSocketFactory.unregister("bridge-test");
      }
    }
  }

  static List<String> queries(String url, String table) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("create table " + table + " (id int primary key, label text)");
      s.execute("insert into " + table + " select g, 'row ' || g from generate_series(1, 5000) g");
      try (ResultSet r =
          s.executeQuery(
              "select count(*), sum(id), max(label), md5(string_agg(label, ',' order by id))"
                  + " from "
                  + table)) {
        while (r.next()) {
          out.add(r.getLong(1) + " " + r.getLong(2) + " " + r.getString(3) + " " + r.getString(4));
        }
      }
      try (ResultSet r =
          s.executeQuery("select label from " + table + " where id % 1000 = 0 order by id")) {
        while (r.next()) {
          out.add(r.getString(1));
        }
      }
    }
    return out;
  }
}
