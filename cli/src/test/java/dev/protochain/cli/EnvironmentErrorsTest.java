package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures of the machine, not of the input: each is one line naming what failed, where, what was
 * kept and the fix.
 */
class EnvironmentErrorsTest {

  @TempDir Path dir;

  @Test
  void aCatalogFileThatIsADirectoryIsNamedWithTheFix() throws Exception {
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve("catalog.json"));
    Cli.Run r = new Cli(home).run("catalog", "show");
    assertEquals(3, r.code(), r.toString());
    assertEquals(
        "protochain catalog show: "
            + home.resolve("catalog.json")
            + ": is not a regular file; protochain keeps its catalog there: remove or move it\n",
        r.err());
  }

  @Test
  @Timeout(60)
  void aFullDiskNamesTheFileAndSaysTheCatalogIsUnchanged() throws Exception {
    Path mount = Files.createDirectory(dir.resolve("small"));
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString()) == 0,
        "mounting a small tmpfs needs root");
    try {
      Path home = mount.resolve("home");
      Cli cli = new Cli(home);
      cli.ok("catalog", "install", "--layer", "trace", "--over", "tcp4");
      byte[] catalog = Files.readAllBytes(home.resolve("catalog.json"));
      byte[] backup = Files.readAllBytes(home.resolve("catalog.json.bak"));
      fill(mount.resolve("filler"));

      Cli.Run r = cli.run("catalog", "install", "--layer", "coalesce", "--over", "tcp4");

      assertEquals(3, r.code(), r.toString());
      assertEquals(
          "protochain catalog install: could not write "
              + home.resolve("catalog.json")
              + ": No space left on device; it still holds generation 2, unchanged (free space on"
              + " the file system holding "
              + home
              + ", then try again)\n",
          r.err());
      assertArrayEquals(catalog, Files.readAllBytes(home.resolve("catalog.json")));
      assertArrayEquals(backup, Files.readAllBytes(home.resolve("catalog.json.bak")));
    } finally {
      assertEquals(0, run("umount", mount.toString()));
    }
  }

  @Test
  @Timeout(60)
  void aConnectTimeoutNamesTheAddressAndTheFix() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    List<Socket> queued = new ArrayList<>();
    // A listener that never accepts, its backlog filled: the kernel drops further SYNs, so a
    // connect waits for its timeout.
    try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
      InetSocketAddress address = new InetSocketAddress(loopback, server.getLocalPort());
      for (int i = 0; i < 16; i++) {
        Socket s = new Socket();
        queued.add(s);
        try {
          s.connect(address, 200);
        } catch (SocketTimeoutException full) {
          break;
        }
      }
      Cli.Run r =
          new Cli(dir.resolve("home"))
              .run(
                  "connect",
                  "--connect-timeout",
                  "300ms",
                  "127.0.0.1",
                  String.valueOf(server.getLocalPort()));
      assertEquals(3, r.code(), r.toString());
      assertEquals(
          "protochain connect: no answer from 127.0.0.1 port "
              + server.getLocalPort()
              + " within 300 ms over 1001 'tcp4' (base) (is the host up and the port open to this"
              + " machine? --connect-timeout waits longer)\n",
          r.err().substring(r.err().indexOf('\n') + 1)); // after the note of the home's creation
    } finally {
      for (Socket s : queued) {
        s.close();
      }
    }
  }

  private static void fill(Path file) throws IOException {
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left on device")) {
        throw full;
      }
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }
}
