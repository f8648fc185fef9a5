package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code protochain catalog install --layer NAME} accepts every stock layer, with the settings it
 * requires, over tcp4 and mem-stream and, for the layers that need no ordered delivery below them,
 * over udp4: each install starts its new chains once before it writes, {@code catalog verify} finds
 * the catalog sound, and {@code catalog show} lists every chain.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InstallEveryStockLayerTest {

  @TempDir Path home;

  @TempDir Path keys;

  /**
   * Makes a PKCS#12 key store holding a throwaway self-signed certificate for localhost and
   * 127.0.0.1, with the JDK's keytool, and exports the certificate as PEM for the trust setting.
   */
  static void makeKeyStore(Path dir) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(
        dir,
        keytool,
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=dns:localhost,ip:127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        "server.p12",
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit",
        "-keypass",
        "changeit");
    run(
        dir,
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        "server",
        "-keystore",
        "server.p12",
        "-storepass",
        "changeit",
        "-file",
        "server.pem");
  }

  static void run(Path dir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + output);
  }

  @Test
  void everyStockLayerInstallsOverEachBaseItFitsAndTheCatalogStaysSound() throws Exception {
    makeKeyStore(keys);
    String tcpOnly = "tcp4,mem-stream";
    String every = "tcp4,udp4,mem-stream";
    Map<String, String> over = new LinkedHashMap<>();
    Map<String, List<String>> sets = new LinkedHashMap<>();
    over.put("trace", every);
    sets.put("trace", List.of("level=info"));
    over.put("coalesce", tcpOnly);
    sets.put("coalesce", List.of("delay=0"));
    over.put("tls", tcpOnly);
    sets.put(
        "tls",
        List.of(
            "keystore=" + keys.resolve("server.p12"),
            "keystore-password=changeit",
            "trust=" + keys.resolve("server.pem")));
    over.put("socks5", tcpOnly);
    sets.put("socks5", List.of("proxy=127.0.0.1:1080")); // a startup does not connect to it
    over.put("deflate", every);
    sets.put("deflate", List.of("level=6"));
    over.put("ratelimit", every);
    sets.put("ratelimit", List.of("bytes-per-second=1048576"));
    over.put("metrics", every);
    sets.put("metrics", List.of("prefix=app"));
    over.put("filter", every);
    sets.put("filter", List.of("allow=127.0.0.0/8"));
    over.put("fault", every);
    sets.put("fault", List.of("seed=7"));
    over.put("websocket", tcpOnly);
    sets.put("websocket", List.of("path=/tunnel"));

    Cli cli = new Cli(home);
    int layerId = 2001;
    int chainId = 3001;
    int generation = 2;
    List<String> rows = new ArrayList<>();
    for (Map.Entry<String, String> e : over.entrySet()) {
      String layer = e.getKey();
      List<String> args =
          new ArrayList<>(List.of("catalog", "install", "--layer", layer, "--over", e.getValue()));
      sets.get(layer).forEach(s -> args.addAll(List.of("--set", s)));

      Cli.Run run = cli.run(args.toArray(String[]::new));

      assertEquals(0, run.code(), run.toString());
      List<String> chains = new ArrayList<>();
      for (String base : e.getValue().split(",", -1)) {
        chains.add(
            chainId + " '" + layer + "-" + base + "' (before " + baseId(base) + " '" + base + "')");
        rows.add(
            chainId
                + " +"
                + Pattern.quote(layer + "-" + base)
                + " +chain +"
                + Pattern.quote(layer + " > " + base)
                + " ");
        chainId++;
      }
      assertEquals(
          "installed layer '"
              + layer
              + "' ("
              // tls's keystore-password is a secret, shown masked
              + String.join(", ", sorted(sets.get(layer)))
                  .replace("keystore-password=changeit", "keystore-password=(secret)")
              + ") as entry "
              + layerId
              + " and chains "
              + String.join(", ", chains)
              + "\n"
              + "wrote generation "
              + generation
              + " of HOME/catalog.json; the backup (catalog.json.bak) holds generation "
              + (generation - 1)
              + "\n",
          cli.generic(run.stdout()),
          run.toString());
      layerId++;
      generation++;
    }

    int chainCount = chainId - 3001;
    assertEquals(
        "HOME/catalog.json, generation "
            + (generation - 1)
            + ": sound; "
            + (6 + 10 + chainCount)
            + " entries (6 bases, 10 layers, "
            + chainCount
            + " chains), every provider found on the class path\n",
        cli.ok("catalog", "verify"));
    String show = cli.ok("catalog", "show");
    for (String row : rows) {
      assertTrue(
          Pattern.compile("(?m)^" + row).matcher(show).find(),
          "catalog show lists " + row + "\n" + show);
    }
  }

  @Test
  void aLayerWithoutWhatItRequiresIsRefusedAndNothingIsWritten() {
    Cli cli = new Cli(home);
    Cli.Run socks5 = cli.run("catalog", "install", "--layer", "socks5", "--over", "tcp4");
    assertEquals(1, socks5.code(), socks5.toString());
    assertEquals(
        "protochain catalog install: created "
            + home.resolve("catalog.json")
            + " with the built-in base"
            + " entries (generation 1)\nprotochain catalog install: installing layer 'socks5': entry 3001"
            + " 'socks5-tcp4' (chain [2001, 1001]) does not start: provider 'socks5' (entry 2001) failed to load:"
            + " java.lang.IllegalArgumentException: setting 'proxy' of entry 2001 'socks5' (layer) is required but not"
            + " set; nothing was installed\n",
        socks5.err());

    Cli.Run tls =
        cli.run(
            "catalog",
            "install",
            "--layer",
            "tls",
            "--over",
            "tcp4",
            "--set",
            "keystore=missing.p12");
    assertEquals(1, tls.code(), tls.toString());
    assertEquals(
        "protochain catalog install: installing layer 'tls': entry 2001 'tls' (layer) sets 'keystore' to '"
            + Path.of("missing.p12").toAbsolutePath()
            + "', a file that does not exist\n",
        tls.err());

    assertEquals(
        "HOME/catalog.json, generation 1: sound; 6 entries (6 bases, 0 layers, 0 chains), every provider"
            + " found on the class path\n",
        cli.ok("catalog", "verify"));
  }

  static int baseId(String base) {
    return switch (base) {
      case "tcp4" -> 1001;
      case "udp4" -> 1003;
      case "mem-stream" -> 1005;
      default -> throw new IllegalArgumentException(base);
    };
  }

  /** Returns {@code KEY=VALUE} settings in the order the catalog keeps them, by key. */
  static List<String> sorted(List<String> settings) {
    return settings.stream()
        .sorted(Comparator.comparing(s -> s.substring(0, s.indexOf('='))))
        .toList();
  }
}
