package dev.protochain.samples;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.metrics.MetricsLayer;
import dev.protochain.layers.tls.TlsLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.bridge.ChainSocketFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * An HTTP client that knows nothing of TLS (OkHttp, speaking plain {@code http://}) fetching from
 * an HTTPS server, because its sockets pass through the chain [metrics, tls, tcp4]: the tls layer
 * does the handshake and verifies the server's certificate, and the metrics layer counts the
 * traffic. The server is the JDK's HTTPS server with a throwaway certificate made by the JDK's
 * {@code keytool}. Run it with {@code samples/run https}.
 */
public final class HttpsOverChain {

  private HttpsOverChain() {}

  /** Runs the sample. */
  public static void main(String[] args) throws Exception {
    dev.protochain.runtime.LauncherDefaults.apply();
    System.exit(run(System.out));
  }

  /** Runs the sample, printing to {@code out}; returns 0 when the response came back as sent. */
  public static int run(PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory("protochain-https-sample");
    HttpsServer server = null;
    try {
      Path keystore = dir.resolve("server.p12");
      Path trust = dir.resolve("server.pem");
      keytool(
          "-genkeypair",
          "-alias",
          "server",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-validity",
          "2",
          "-dname",
          "CN=localhost",
          "-ext",
          "SAN=dns:localhost,ip:127.0.0.1",
          "-storetype",
          "PKCS12",
          "-keystore",
          keystore.toString(),
          "-storepass",
          "changeit");
      keytool(
          "-exportcert",
          "-rfc",
          "-alias",
          "server",
          "-keystore",
          keystore.toString(),
          "-storepass",
          "changeit",
          "-file",
          trust.toString());

      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(serverContext(keystore)));
      server.createContext(
          "/hello",
          x -> {
            byte[] body =
                ("hello over TLS, " + x.getRequestMethod() + " " + x.getRequestURI() + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            try (OutputStream o = x.getResponseBody()) {
              o.write(body);
            }
          });
      server.start();
      int port = server.getAddress().getPort();

      ProviderDescriptor tls = ProviderDescriptor.of(TlsLayer.class);
      ProviderDescriptor metrics = ProviderDescriptor.of(MetricsLayer.class);
      Catalog catalog =
          Catalog.builtin()
              .install(
                  tls, Map.of("trust", trust.toString(), "server-name", "localhost"), List.of(1001))
              .catalog();
      catalog =
          catalog
              .install(metrics, Map.of(), List.of(catalog.entry("tls-tcp4").orElseThrow().id()))
              .catalog();
      MeterRegistry registry = new SimpleMeterRegistry();
      try (ChainRuntime runtime =
          ChainRuntime.builder()
              .catalog(catalog.checkValid("sample"))
              .service(MeterRegistry.class, registry)
              .build()) {
        OkHttpClient http =
            new OkHttpClient.Builder()
                .socketFactory(ChainSocketFactory.forEntry(runtime, "metrics-tls-tcp4"))
                .build();
        String body;
        Request request =
            new Request.Builder().url("http://localhost:" + port + "/hello?from=okhttp").build();
        try (Response response = http.newCall(request).execute()) {
          body = response.body().string();
          out.println(
              "HTTP " + response.code() + " from https://localhost:" + port + ": " + body.trim());
        }
        // Closing the pooled connection unloads the layers; the meters are the registry's and stay.
        http.connectionPool().evictAll();
        double sent = registry.get("protochain.bytes.sent").counter().count();
        double received = registry.get("protochain.bytes.received").counter().count();
        out.printf(
            "the metrics layer counted %.0f bytes sent and %.0f received, in plain text above tls%n",
            sent, received);
        return body.equals("hello over TLS, GET /hello?from=okhttp\n") && sent > 0 && received > 0
            ? 0
            : 1;
      }
    } finally {
      if (server != null) {
        server.stop(0);
      }
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static SSLContext serverContext(Path keystore) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }
}
