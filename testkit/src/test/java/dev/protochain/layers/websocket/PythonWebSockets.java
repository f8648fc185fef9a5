package dev.protochain.layers.websocket;

import static org.junit.jupiter.api.Assertions.fail;

import dev.protochain.runtime.testing.ExternalProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Debian's {@code python3-websockets} as the real peer of the interop tests: a Python 3 that
 * imports {@code websockets} (Debian's own {@code /usr/bin/python3} first, then each {@code
 * python3} on the {@code PATH}), running scripts this class writes into a test's directory. A
 * machine without one fails the test, naming the package: these tests never skip, on CI ({@code
 * CI=true}) or anywhere else.
 */
final class PythonWebSockets {

  /** Debian's interpreter, where {@code apt-get install python3-websockets} puts the module. */
  private static final String DEBIAN_PYTHON = "/usr/bin/python3";

  private static volatile Path python;

  private PythonWebSockets() {}

  /** Returns a Python 3 that imports {@code websockets}, or fails the test. */
  static Path python() throws IOException, InterruptedException {
    Path p = python;
    if (p != null) {
      return p;
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of(DEBIAN_PYTHON));
    Optional<Path> onPath = ExternalProcess.find("python3");
    onPath.ifPresent(candidates::add);
    StringBuilder tried = new StringBuilder();
    for (Path c : candidates) {
      if (!Files.isExecutable(c)) {
        tried.append("\n  ").append(c).append(": not there");
        continue;
      }
      Process probe =
          new ProcessBuilder(
                  c.toString(), "-c", "import websockets; print(websockets.version.version)")
              .redirectErrorStream(true)
              .start();
      String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (probe.waitFor() == 0) {
        python = c;
        return c;
      }
      tried.append("\n  ").append(c).append(": ").append(out.strip());
    }
    String ci = "true".equalsIgnoreCase(System.getenv("CI")) ? "CI=true: " : "";
    return fail(
        ci
            + "no python3 here imports websockets, and the interop tests run against it as a real"
            + " peer; install it (Debian: apt-get install python3-websockets; .ci/run does) rather"
            + " than skipping these tests. Tried:"
            + tried);
  }

  /** Writes {@code script} into {@code dir} and starts it with {@code args}. */
  static ExternalProcess start(Path dir, String name, String script, String... args)
      throws IOException, InterruptedException {
    Path file = dir.resolve(name + ".py");
    Files.writeString(file, script, StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(List.of(python().toString(), "-u", file.toString()));
    command.addAll(List.of(args));
    return ExternalProcess.start(name, dir, command);
  }

  /**
   * An echo server: every message back as it came, pinging its clients every 50 ms (so that pings
   * cross the transfers), taking messages up to 2 MiB; prints {@code PORT n} once it listens.
   */
  static final String ECHO_SERVER =
      """
      import asyncio, websockets

      async def echo(ws, path):
          async for message in ws:
              await ws.send(message)

      async def main():
          async with websockets.serve(echo, "127.0.0.1", 0, max_size=2**21,
                                      ping_interval=0.05, ping_timeout=10) as server:
              print("PORT", server.sockets[0].getsockname()[1], flush=True)
              await asyncio.Future()

      asyncio.run(main())
      """;

  /**
   * Starts {@link #ECHO_SERVER} and returns it with its port, once it listens (within 20 s, or the
   * test fails with what it printed).
   */
  static Server echoServer(Path dir) throws IOException, InterruptedException {
    ExternalProcess p = start(dir, "ws-echo-server", ECHO_SERVER);
    String out = p.awaitStdout("\n", Duration.ofSeconds(20));
    String line = out.substring(0, out.indexOf('\n')).trim();
    if (!line.startsWith("PORT ")) {
      p.close();
      fail("the python echo server printed '" + line + "'\n" + p.stderr());
    }
    return new Server(p, Integer.parseInt(line.substring(5)));
  }

  /** A running Python server and its port on 127.0.0.1. */
  record Server(ExternalProcess process, int port) implements AutoCloseable {
    @Override
    public void close() {
      process.close();
    }
  }

  /**
   * A client of our server: with the defaults of {@code websockets.connect} (it offers {@code
   * permessage-deflate}, which our server leaves out), it sends 64 bytes and awaits them back,
   * pings and awaits the pong, sends a mebibyte as one message in 16 fragments of 64 KiB and reads
   * the echo, in whatever messages it comes, until it has it all, then a text message, and closes
   * with status 1000; prints {@code OK}, the figures, and the close code and reason it got back.
   */
  static final String CLIENT =
      """
      import asyncio, os, sys, time, websockets

      async def read(ws, n):
          got = bytearray()
          while len(got) < n:
              m = await ws.recv()
              got += m if isinstance(m, bytes) else m.encode()
          return bytes(got)

      async def main():
          async with websockets.connect(sys.argv[1], max_size=2**21) as ws:
              small = os.urandom(64)
              rtts = []
              for _ in range(100):
                  t = time.perf_counter()
                  await ws.send(small)
                  assert await read(ws, 64) == small, "64 bytes came back changed"
                  rtts.append(time.perf_counter() - t)
              await asyncio.wait_for(await ws.ping(b"are you there"), 10)
              big = os.urandom(1 << 20)
              t = time.perf_counter()
              await ws.send(big[i:i + 65536] for i in range(0, len(big), 65536))
              back = await read(ws, len(big))
              secs = time.perf_counter() - t
              assert back == big, "the mebibyte came back changed"
              await ws.send("text too")
              assert await read(ws, 8) == b"text too"
              await ws.close()
              rtts.sort()
              print("OK mebibyte %.1f ms, 64 B round trip median %.3f ms" % (secs * 1000, rtts[50] * 1000))
              print("CLOSE", ws.close_code, repr(ws.close_reason))

      asyncio.run(main())
      """;
}
