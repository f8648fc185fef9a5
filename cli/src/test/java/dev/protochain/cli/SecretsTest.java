package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secret settings ({@code socks5}'s {@code password}, {@code tls}'s {@code keystore-password}) are
 * masked in every output, and may be given as {@code @file:PATH} or {@code @env:NAME}, which the
 * catalog keeps and the runtime resolves when the layer loads.
 */
class SecretsTest {

  static final String PASSWORD = "hunter2-9f3c";

  @TempDir Path home;

  @TempDir Path dir;

  Cli cli;

  @BeforeEach
  void home() {
    cli = new Cli(home);
    cli.ok("catalog", "show");
  }

  private Cli.Run install(String password) {
    return install("127.0.0.1:1080", password);
  }

  private Cli.Run install(String proxy, String password) {
    return cli.run(
        "catalog",
        "install",
        "--layer",
        "socks5",
        "--over",
        "tcp4",
        "--set",
        "proxy=" + proxy,
        "--set",
        "username=alice",
        "--set",
        "password=" + password);
  }

  @Test
  void aPasswordGivenInlineIsMaskedByInstallShowAndJson() throws Exception {
    Cli.Run r = install(PASSWORD);
    assertEquals(0, r.code(), r.toString());
    assertEquals(
        "installed layer 'socks5' (password=(secret), proxy=127.0.0.1:1080, username=alice) as entry"
            + " 2001 and chain 3001 'socks5-tcp4' (before 1001 'tcp4')\n",
        r.stdout().lines().findFirst().orElseThrow() + "\n");
    String show = cli.ok("catalog", "show");
    assertTrue(
        show.endsWith(
            "settings:\n  2001 'socks5': password=(secret), proxy=127.0.0.1:1080, username=alice\n"),
        show);
    String json = cli.ok("catalog", "show", "--json");
    assertTrue(json.contains("\"password\": \"(secret)\""), json);
    for (String out : new String[] {r.stdout(), r.err(), show, json}) {
      assertFalse(out.contains(PASSWORD), out);
    }
    // The file itself still holds it: a literal secret is the user's choice, and the layer needs
    // it.
    assertTrue(Files.readString(home.resolve("catalog.json")).contains(PASSWORD));
  }

  @Test
  void aPasswordFromAFileIsKeptAsAnAbsoluteReferenceAndLoads() throws Exception {
    Path file = dir.resolve("socks-password");
    Files.writeString(file, PASSWORD + "\n");
    Cli.Run r = install("@file:" + file);
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.stdout()
            .startsWith(
                "installed layer 'socks5' (password=@file:"
                    + file
                    + ", proxy=127.0.0.1:1080, username=alice)"),
        r.toString());
    String stored = Files.readString(home.resolve("catalog.json"));
    assertTrue(stored.contains("\"password\": \"@file:" + file + "\""), stored);
    assertFalse(stored.contains(PASSWORD), stored);
  }

  @Test
  @Timeout(60)
  void thePasswordReadFromTheFileReachesARealProxy() throws Exception {
    Path file = dir.resolve("socks-password");
    Files.writeString(file, PASSWORD + "\n");
    int proxyPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      proxyPort = probe.getLocalPort();
    }
    Process microsocks =
        new ProcessBuilder(
                "microsocks",
                "-i",
                "127.0.0.1",
                "-p",
                String.valueOf(proxyPort),
                "-u",
                "alice",
                "-P",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      awaitListening(proxyPort);
      // The server greets and waits for the end of the client's stream; the client's input ends
      // only once the greeting is out, since microsocks closes both ways at a half-close.
      byte[] greeting = "hello through the proxy".getBytes(StandardCharsets.UTF_8);
      Thread greeter =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  s.getOutputStream().write(greeting);
                  s.getOutputStream().flush();
                  s.getInputStream().readAllBytes();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      greeter.start();
      Cli.Run installed = install("127.0.0.1:" + proxyPort, "@file:" + file);
      assertEquals(0, installed.code(), installed.toString());
      CountDownLatch greeted = new CountDownLatch(1);
      ByteArrayOutputStream out =
          new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
              super.write(b, off, len);
              if (size() >= greeting.length) {
                greeted.countDown();
              }
            }
          };
      @SuppressWarnings("InputStreamSlowMultibyteRead") // ends once greeted: it reads no byte
      InputStream in =
          new InputStream() {
            @Override
            public int read() throws IOException {
              try {
                greeted.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                throw new InterruptedIOException();
              }
              return -1;
            }
          };
      ByteArrayOutputStream err = new ByteArrayOutputStream();

      int code =
          Main.run(
              new String[] {
                "--home",
                home.toString(),
                "connect",
                "--entry",
                "socks5-tcp4",
                "127.0.0.1",
                String.valueOf(server.getLocalPort())
              },
              in,
              out,
              err,
              Map.of());

      assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
      assertArrayEquals(greeting, out.toByteArray());
      greeter.join(10_000);
    } finally {
      microsocks.destroy();
      microsocks.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitListening(int port) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError(
        "microsocks did not listen on 127.0.0.1 port " + port + " within 10 s");
  }

  @Test
  void aMissingFileIsNamedWithTheSettingAndNothingIsInstalled() throws Exception {
    Path missing = dir.resolve("nope");
    byte[] before = Files.readAllBytes(home.resolve("catalog.json"));
    Cli.Run r = install("@file:" + missing);
    assertEquals(1, r.code(), r.toString());
    assertEquals(
        "protochain catalog install: installing layer 'socks5': entry 3001 'socks5-tcp4' (chain"
            + " [2001, 1001]) does not start: provider 'socks5' (entry 2001) failed to load:"
            + " java.lang.IllegalArgumentException: setting 'password' of entry 2001 'socks5' (layer)"
            + " refers to the file "
            + missing
            + ", which cannot be read: no such file (expected: a file holding the secret);"
            + " nothing was installed\n",
        r.err());
    assertEquals(
        new String(before, StandardCharsets.UTF_8), Files.readString(home.resolve("catalog.json")));
  }

  @Test
  void aMissingVariableIsNamedWithTheSetting() {
    Cli.Run r = install("@env:PROTOCHAIN_TEST_UNSET_7");
    assertEquals(1, r.code(), r.toString());
    assertTrue(
        r.err()
            .endsWith(
                "setting 'password' of entry 2001 'socks5' (layer) refers to the environment"
                    + " variable PROTOCHAIN_TEST_UNSET_7, which is not set (set it for the process"
                    + " that loads the provider); nothing was installed\n"),
        r.err());
  }

  @Test
  void layersMarksTheSecrets() {
    String socks5 = cli.ok("catalog", "layers", "socks5");
    assertTrue(
        socks5.contains(
            "  password           password for RFC 1929 authentication, with username (secret:"
                + " masked; give @file:PATH or @env:NAME)\n"),
        socks5);
    assertTrue(
        cli.ok("catalog", "layers", "tls")
            .contains(
                "  keystore-password      password of the keystore (secret: masked; give"
                    + " @file:PATH or @env:NAME)\n"));
  }
}
