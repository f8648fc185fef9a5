package dev.protochain.runtime.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code openssl} command line as a test peer: a throwaway PKI (a CA and certificates it
 * issues, in a temporary directory) and {@code s_server} / {@code s_client} processes.
 *
 * <p>Certificates are made with a configuration file written next to them, so the system's {@code
 * openssl.cnf} does not matter. Not thread-safe; one per test.
 */
public final class OpenSsl {

  private static final String CONFIG =
      String.join(
          "\n",
          "[req]",
          "distinguished_name = dn",
          "prompt = no",
          "[dn]",
          "CN = protochain",
          "[ca_ext]",
          "basicConstraints = critical, CA:TRUE",
          "keyUsage = critical, keyCertSign, cRLSign",
          "subjectKeyIdentifier = hash",
          "[leaf_ext]",
          "basicConstraints = CA:FALSE",
          "keyUsage = critical, digitalSignature, keyEncipherment",
          "extendedKeyUsage = serverAuth, clientAuth",
          "subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1",
          "");
  private static final Pattern ACCEPT = Pattern.compile("ACCEPT \\S*:(\\d+)\\r?\\n");

  private final Path openssl;
  private final Path dir;

  private OpenSsl(Path openssl, Path dir) throws IOException {
    this.openssl = openssl;
    this.dir = dir;
    Files.writeString(dir.resolve("pki.cnf"), CONFIG);
  }

  /** Returns openssl working in {@code dir}, or fails the test if it is not on the PATH. */
  public static OpenSsl in(Path dir) throws IOException {
    return new OpenSsl(ExternalProcess.locate("openssl", "openssl"), dir);
  }

  /** Returns the directory the files are made in. */
  public Path dir() {
    return dir;
  }

  /** Files of one certificate: its PEM private key (PKCS#8) and PEM certificate. */
  public record Issued(Path key, Path cert) {}

  /**
   * Makes a self-signed CA {@code name}: {@code name.key} and {@code name.pem}, an EC P-256 key.
   */
  public Issued ca(String name) throws IOException, InterruptedException {
    Path key = dir.resolve(name + ".key");
    Path cert = dir.resolve(name + ".pem");
    ExternalProcess.run(
        dir,
        List.of(
            openssl.toString(),
            "req",
            "-x509",
            "-config",
            "pki.cnf",
            "-extensions",
            "ca_ext",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            key.toString(),
            "-out",
            cert.toString(),
            "-days",
            "2",
            "-subj",
            "/CN=" + name));
    return new Issued(key, cert);
  }

  /**
   * Makes a certificate for {@code CN=localhost} with the names localhost, 127.0.0.1 and ::1,
   * issued by {@code ca}: {@code name.key} and {@code name.pem}, and {@code name-chain.pem} holding
   * it and the CA. {@code keyType} is {@code ec} (P-256) or {@code rsa} (2048 bits).
   */
  public Issued leaf(String name, Issued ca, String keyType)
      throws IOException, InterruptedException {
    Path key = dir.resolve(name + ".key");
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".pem");
    List<String> req =
        new ArrayList<>(List.of(openssl.toString(), "req", "-new", "-config", "pki.cnf"));
    if (keyType.equals("rsa")) {
      req.addAll(List.of("-newkey", "rsa:2048"));
    } else {
      req.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
    }
    req.addAll(
        List.of(
            "-nodes", "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=localhost"));
    ExternalProcess.run(dir, req);
    ExternalProcess.run(
        dir,
        List.of(
            openssl.toString(),
            "x509",
            "-req",
            "-in",
            csr.toString(),
            "-CA",
            ca.cert().toString(),
            "-CAkey",
            ca.key().toString(),
            "-set_serial",
            String.valueOf(System.nanoTime()),
            "-days",
            "2",
            "-extfile",
            "pki.cnf",
            "-extensions",
            "leaf_ext",
            "-out",
            cert.toString()));
    Files.writeString(
        dir.resolve(name + "-chain.pem"), Files.readString(cert) + Files.readString(ca.cert()));
    return new Issued(key, cert);
  }

  /** Packs {@code leaf}, its key and {@code ca} into the PKCS#12 file {@code name.p12}. */
  public Path pkcs12(String name, Issued leaf, Issued ca, String password)
      throws IOException, InterruptedException {
    Path p12 = dir.resolve(name + ".p12");
    ExternalProcess.run(
        dir,
        List.of(
            openssl.toString(),
            "pkcs12",
            "-export",
            "-in",
            leaf.cert().toString(),
            "-inkey",
            leaf.key().toString(),
            "-certfile",
            ca.cert().toString(),
            "-out",
            p12.toString(),
            "-passout",
            "pass:" + password,
            "-name",
            name));
    return p12;
  }

  /**
   * Starts {@code openssl s_server} on 127.0.0.1 with an ephemeral port, serving {@code leaf} for
   * one connection, printing the handshake states and alerts ({@code -state}) on standard error and
   * what it receives on standard output, and sending what its standard input gets. {@code extra}
   * adds options such as {@code -tls1_2}.
   */
  public Server server(Issued leaf, String... extra) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                openssl.toString(),
                "s_server",
                "-accept",
                "127.0.0.1:0",
                "-cert",
                leaf.cert().toString(),
                "-key",
                leaf.key().toString(),
                "-naccept",
                "1",
                "-state"));
    command.addAll(List.of(extra));
    ExternalProcess p = ExternalProcess.start("openssl s_server", dir, command);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      Matcher m = ACCEPT.matcher(p.stdout());
      if (m.find()) {
        return new Server(p, Integer.parseInt(m.group(1)));
      }
      if (System.nanoTime() > deadline || !p.isAlive()) {
        p.close();
        return fail(
            "openssl s_server printed no 'ACCEPT 127.0.0.1:PORT' line within 10 s\n--- stdout:\n"
                + p.stdout()
                + "\n--- stderr:\n"
                + p.stderr());
      }
      Thread.sleep(10);
    }
  }

  /** A running {@code s_server} and the port it listens on. */
  public record Server(ExternalProcess process, int port) implements AutoCloseable {
    @Override
    public void close() {
      process.close();
    }
  }

  /**
   * Starts {@code openssl s_client} against 127.0.0.1:{@code port} with {@code -brief -state}: what
   * it receives on standard output, states, alerts and the verification outcome on standard error;
   * its standard input is sent. {@code extra} adds options such as {@code -CAfile}.
   */
  public ExternalProcess client(int port, String... extra) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                openssl.toString(),
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-brief",
                "-state"));
    command.addAll(List.of(extra));
    return ExternalProcess.start("openssl s_client", dir, command);
  }
}
