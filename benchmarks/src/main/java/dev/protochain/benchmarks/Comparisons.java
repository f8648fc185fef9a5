package dev.protochain.benchmarks;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.deflate.DeflateLayer;
import dev.protochain.layers.tls.TlsLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The layer-versus-library comparisons, each over TCP on 127.0.0.1, one thread per side,
 * alternating rounds: the tls layer on both ends against the JDK's {@code SSLSocket} on both ends
 * (TLS 1.3, {@code TLS_AES_128_GCM_SHA256} for both), and the deflate layer on both ends against
 * {@code java.util.zip} deflater and inflater streams at the same level, on compressible data. Each
 * measure is the throughput of the application's bytes.
 */
final class Comparisons {

  static final String PROTOCOL = "TLSv1.3";
  static final String SUITE = "TLS_AES_128_GCM_SHA256";
  static final int MESSAGE = 64 * 1024;

  private Comparisons() {}

  static void tlsAndDeflate(Report report, boolean quick) throws Exception {
    int rounds = quick ? 3 : 9;
    long tlsBytes =
        (quick ? 64L : 1024L) << 20; // a second or more a round: shorter rounds spread widely
    long zipBytes = (quick ? 32L : 128L) << 20;
    Path dir = Files.createTempDirectory("protochain-bench-tls");
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      Keys keys = Keys.make(dir);
      byte[] compressible = compressible(MESSAGE * 16);
      List<Double> tlsLayer = new ArrayList<>();
      List<Double> tlsJdk = new ArrayList<>();
      List<Double> zipLayer = new ArrayList<>();
      List<Double> zipJdk = new ArrayList<>();
      try (ChainRuntime runtime = runtime(keys)) {
        // A round not counted: compiles each side's code, so that the first counted one is no
        // outlier.
        chain(runtime, "tls-tcp4", tlsBytes / 4, new byte[MESSAGE], pool);
        jdkTls(keys, tlsBytes / 4, pool);
        chain(runtime, "deflate-tcp4", zipBytes / 4, compressible, pool);
        jdkZip(zipBytes / 4, compressible, pool);
        for (int round = 0; round < rounds; round++) {
          if (round % 2 == 0) {
            tlsLayer.add(chain(runtime, "tls-tcp4", tlsBytes, new byte[MESSAGE], pool));
            tlsJdk.add(jdkTls(keys, tlsBytes, pool));
            zipLayer.add(chain(runtime, "deflate-tcp4", zipBytes, compressible, pool));
            zipJdk.add(jdkZip(zipBytes, compressible, pool));
          } else {
            tlsJdk.add(jdkTls(keys, tlsBytes, pool));
            tlsLayer.add(chain(runtime, "tls-tcp4", tlsBytes, new byte[MESSAGE], pool));
            zipJdk.add(jdkZip(zipBytes, compressible, pool));
            zipLayer.add(chain(runtime, "deflate-tcp4", zipBytes, compressible, pool));
          }
        }
      }
      report.roundsRow(
          "tls layer vs JDK SSLSocket throughput (64 KiB writes, " + SUITE + ")",
          Report.mibs(tlsLayer),
          Report.mibs(tlsJdk),
          tlsLayer,
          tlsJdk,
          0.90,
          true);
      report.roundsRow(
          "deflate layer vs java.util.zip streams throughput (level 6, 64 KiB writes)",
          Report.mibs(zipLayer),
          Report.mibs(zipJdk),
          zipLayer,
          zipJdk,
          0.90,
          true);
    } finally {
      pool.shutdownNow();
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static ChainRuntime runtime(Keys keys) throws IOException {
    ProviderDescriptor tls = ProviderDescriptor.of(TlsLayer.class);
    ProviderDescriptor deflate = ProviderDescriptor.of(DeflateLayer.class);
    Catalog c =
        Catalog.builtin()
            .install(
                tls,
                Map.of(
                    "trust",
                    keys.cert.toString(),
                    "server-name",
                    "localhost",
                    "keystore",
                    keys.keystore.toString(),
                    "keystore-password",
                    Keys.PASSWORD,
                    "protocols",
                    PROTOCOL,
                    "cipher-suites",
                    SUITE),
                List.of(1001))
            .catalog()
            .install(deflate, Map.of("level", "6"), List.of(1001))
            .catalog();
    return ChainRuntime.builder()
        .name("comparisons")
        .catalog(c.checkValid("comparison catalog"))
        .shutdownHook(false)
        .build();
  }

  /**
   * protochain on both ends: writes {@code total} bytes in messages of {@code payload}, timed until
   * read.
   */
  static double chain(
      ChainRuntime runtime, String entry, long total, byte[] payload, ExecutorService pool)
      throws Exception {
    try (Session session = runtime.startup(entry);
        ChainSocket listener = session.open()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      listener.listen(1);
      Future<Long> reading =
          pool.submit(
              () -> {
                long n = 0;
                try (ChainSocket s = listener.accept()) {
                  ByteBuffer buf = ByteBuffer.allocate(MESSAGE);
                  for (int r; (r = s.receive(buf.clear())) >= 0; ) {
                    n += r;
                  }
                }
                return n;
              });
      try (ChainSocket c = session.open()) {
        c.connect(listener.localAddress());
        long start = System.nanoTime();
        long sent = 0;
        for (int i = 0; sent < total; i++) {
          int off = (i * MESSAGE) % payload.length;
          ByteBuffer msg = ByteBuffer.wrap(payload, off, Math.min(MESSAGE, payload.length - off));
          sent += msg.remaining();
          c.sendFully(msg);
        }
        c.shutdownOutput();
        long read = reading.get(5, TimeUnit.MINUTES);
        check(entry, read, sent);
        return read / (1024.0 * 1024.0) / ((System.nanoTime() - start) / 1e9);
      }
    }
  }

  private static double jdkTls(Keys keys, long total, ExecutorService pool) throws Exception {
    SSLContext context = keys.context();
    try (SSLServerSocket listener =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setEnabledProtocols(new String[] {PROTOCOL});
      listener.setEnabledCipherSuites(new String[] {SUITE});
      Future<Long> reading = pool.submit(() -> drain(listener.accept()));
      try (SSLSocket c =
          (SSLSocket)
              context
                  .getSocketFactory()
                  .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        c.setEnabledProtocols(new String[] {PROTOCOL});
        c.setEnabledCipherSuites(new String[] {SUITE});
        c.startHandshake();
        long start = System.nanoTime();
        OutputStream out = c.getOutputStream();
        byte[] msg = new byte[MESSAGE];
        long sent = 0;
        while (sent < total) {
          out.write(msg);
          sent += msg.length;
        }
        out.flush();
        c.close(); // SSLSocket has no half-close over TLS 1.3 in every JDK: the server reads to
        // close_notify
        long read = reading.get(5, TimeUnit.MINUTES);
        check("SSLSocket", read, sent);
        return read / (1024.0 * 1024.0) / ((System.nanoTime() - start) / 1e9);
      }
    }
  }

  private static double jdkZip(long total, byte[] payload, ExecutorService pool) throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Future<Long> reading =
          pool.submit(
              () -> {
                try (Socket s = listener.accept();
                    InputStream in =
                        new InflaterInputStream(
                            s.getInputStream(), new java.util.zip.Inflater(), MESSAGE)) {
                  long n = 0;
                  byte[] buf = new byte[MESSAGE];
                  for (int r; (r = in.read(buf)) >= 0; ) {
                    n += r;
                  }
                  return n;
                }
              });
      try (Socket c = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        long start = System.nanoTime();
        Deflater deflater = new Deflater(6);
        long sent = 0;
        try (OutputStream out =
            new DeflaterOutputStream(c.getOutputStream(), deflater, MESSAGE, true)) {
          for (int i = 0; sent < total; i++) {
            int off = (i * MESSAGE) % payload.length;
            int len = Math.min(MESSAGE, payload.length - off);
            out.write(payload, off, len);
            sent += len;
          }
        } finally {
          deflater.end();
        }
        long read = reading.get(5, TimeUnit.MINUTES);
        check("java.util.zip", read, sent);
        return read / (1024.0 * 1024.0) / ((System.nanoTime() - start) / 1e9);
      }
    }
  }

  private static long drain(Socket s) throws IOException {
    try (s;
        InputStream in = s.getInputStream()) {
      long n = 0;
      byte[] buf = new byte[MESSAGE];
      for (int r; (r = in.read(buf)) >= 0; ) {
        n += r;
      }
      return n;
    }
  }

  static void check(String who, long read, long sent) {
    if (read != sent) {
      throw new IllegalStateException(who + " delivered " + read + " of " + sent + " bytes");
    }
  }

  /**
   * Text-like data: words from a small vocabulary with random choices, compressing about 3:1 at
   * level 6.
   */
  static byte[] compressible(int size) {
    String[] words = {
      "layer",
      "chain",
      "socket",
      "provider",
      "catalog",
      "startup",
      "cleanup",
      "count",
      "base",
      "tls",
      "deflate",
      "frame",
      "runtime",
      "session",
      "unload",
      "the",
      "a",
      "of",
      "to",
      "and"
    };
    Random random = new Random(42);
    StringBuilder sb = new StringBuilder(size + 16);
    while (sb.length() < size) {
      sb.append(words[random.nextInt(words.length)]).append(random.nextInt(10) == 0 ? ".\n" : " ");
    }
    return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
  }

  /** A throwaway key and certificate for localhost, made by the JDK's keytool. */
  record Keys(Path keystore, Path cert) {
    static final String PASSWORD = "changeit";

    static Keys make(Path dir) throws Exception {
      Path keystore = dir.resolve("server.p12");
      Path cert = dir.resolve("server.pem");
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
          PASSWORD);
      keytool(
          "-exportcert",
          "-rfc",
          "-alias",
          "server",
          "-keystore",
          keystore.toString(),
          "-storepass",
          PASSWORD,
          "-file",
          cert.toString());
      return new Keys(keystore, cert);
    }

    SSLContext context() throws Exception {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        ks.load(in, PASSWORD.toCharArray());
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, PASSWORD.toCharArray());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    }

    private static void keytool(String... args) throws Exception {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
      }
    }
  }
}
