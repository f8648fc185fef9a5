package dev.protochain.samples;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.socks5.Socks5Layer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A client over [socks5, tcp4] through a local SOCKS5 server: Debian's {@code microsocks}, started
 * on 127.0.0.1 with a username and password, in front of a local echo server the client reaches
 * only through it. Run it with {@code samples/run socks} (it needs {@code microsocks} on the {@code
 * PATH}: {@code apt-get install microsocks}).
 */
public final class SocksClient {

  private SocksClient() {}

  /** Runs the sample. */
  public static void main(String[] args) throws Exception {
    dev.protochain.runtime.LauncherDefaults.apply();
    System.exit(run(System.out));
  }

  /**
   * Runs the sample, printing to {@code out}; returns 0 when the echo came back through the proxy.
   */
  public static int run(PrintStream out) throws Exception {
    Path microsocks =
        onPath("microsocks")
            .orElseThrow(
                () ->
                    new IOException(
                        "microsocks is not on the PATH; install Debian's package microsocks to run this sample"));
    int proxyPort = freePort();
    Process proxy =
        new ProcessBuilder(
                microsocks.toString(),
                "-i",
                "127.0.0.1",
                "-p",
                Integer.toString(proxyPort),
                "-u",
                "sample",
                "-P",
                "secret")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    ExecutorService pool = Executors.newCachedThreadPool();
    try (ServerSocket echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      awaitListening(proxyPort, proxy);
      Future<?> echoing =
          pool.submit(
              () -> {
                try (Socket s = echo.accept()) {
                  s.getOutputStream().write(s.getInputStream().readNBytes(21));
                }
                return null;
              });
      ProviderDescriptor socks5 = ProviderDescriptor.of(Socks5Layer.class);
      Catalog catalog =
          Catalog.builtin()
              .install(
                  socks5,
                  Map.of(
                      "proxy",
                      "127.0.0.1:" + proxyPort,
                      "username",
                      "sample",
                      "password",
                      "secret"),
                  List.of(1001))
              .catalog()
              .checkValid("sample");
      try (ChainRuntime runtime = ChainRuntime.builder().catalog(catalog).build();
          Session session = runtime.startup("socks5-tcp4");
          ChainSocket socket = session.open()) {
        socket.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()));
        socket.sendFully(
            ByteBuffer.wrap("hello through socks5\n".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer back = ByteBuffer.allocate(21);
        socket.receiveFully(back);
        echoing.get(30, TimeUnit.SECONDS);
        String text = new String(back.array(), StandardCharsets.US_ASCII);
        out.print("echoed through microsocks on 127.0.0.1:" + proxyPort + ": " + text);
        out.println(
            "the echo server saw the connection come from the proxy, not from the client's socket");
        return text.equals("hello through socks5\n") ? 0 : 1;
      }
    } finally {
      pool.shutdownNow();
      proxy.destroy();
      proxy.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Optional<Path> onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator, -1)) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void awaitListening(int port, Process proxy) throws Exception {
    for (int i = 0; i < 100; i++) {
      if (!proxy.isAlive()) {
        throw new IOException(
            "microsocks exited with " + proxy.exitValue() + " before listening on port " + port);
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IOException("microsocks did not listen on 127.0.0.1:" + port + " within 5 s");
  }
}
