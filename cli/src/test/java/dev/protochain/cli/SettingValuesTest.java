package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog verify checks setting values the way an install does (by starting each entry), and
 * settings that name files are stored absolute and checked to exist, at install and in verify.
 */
@Timeout(60)
class SettingValuesTest {

  @TempDir Path home;
  @TempDir Path files;

  /** Replaces {@code from} by {@code to} in the catalog file, as an editor would. */
  private void edit(String from, String to) throws Exception {
    Path json = home.resolve("catalog.json");
    String text = Files.readString(json);
    assertEquals(true, text.contains(from), text);
    Files.writeString(json, text.replace(from, to));
  }

  @Test
  void verifyRefusesASettingValueThatStopsTheChainFromStarting() throws Exception {
    Cli cli = new Cli(home);
    cli.ok("catalog", "install", "--layer", "coalesce", "--over", "tcp4", "--set", "delay=0");
    edit("\"delay\": \"0\"", "\"delay\": \"abc\"");

    Cli.Run run = cli.run("catalog", "verify");

    assertEquals(1, run.code(), run.toString());
    assertEquals(
        "protochain catalog verify: catalog invalid (HOME/catalog.json, generation 2): entry 3001"
            + " 'coalesce-tcp4' (chain [2001, 1001]) does not start: provider 'coalesce' (entry 2001)"
            + " failed to load: java.lang.IllegalArgumentException: setting 'delay' of entry 2001"
            + " 'coalesce' (layer) = 'abc' is not a duration (expected: a whole number and a unit: 250ms, 30s, 2m or 1h; or 0).\n",
        cli.generic(run.err()));
  }

  @Test
  void aRelativePathIsStoredAbsoluteAndAMissingFileIsRefusedAtInstallAndInVerify()
      throws Exception {
    Path keystore = keystore(files.resolve("server.p12"));
    String relative = Path.of("").toAbsolutePath().relativize(keystore).toString();
    Cli cli = new Cli(home);

    cli.ok(
        "catalog",
        "install",
        "--layer",
        "tls",
        "--over",
        "tcp4",
        "--set",
        "keystore=" + relative,
        "--set",
        "keystore-password=changeit");

    String json = Files.readString(home.resolve("catalog.json"));
    assertEquals(true, json.contains("\"keystore\": \"" + keystore + "\""), json);
    assertEquals(
        "HOME/catalog.json, generation 2: sound; 8 entries (6 bases, 1 layer, 1 chain), every"
            + " provider found on the class path\n",
        cli.ok("catalog", "verify"));

    Files.delete(keystore);
    Cli.Run verify = cli.run("catalog", "verify");
    assertEquals(1, verify.code(), verify.toString());
    assertEquals(
        "protochain catalog verify: catalog invalid (HOME/catalog.json, generation 2): entry 2001"
            + " 'tls' (layer) sets 'keystore' to '"
            + keystore
            + "', a file that does not exist.\n",
        cli.generic(verify.err()));

    edit("\"keystore\": \"" + keystore + "\"", "\"keystore\": \"server.p12\"");
    verify = cli.run("catalog", "verify");
    assertEquals(
        "protochain catalog verify: catalog invalid (HOME/catalog.json, generation 2): entry 2001"
            + " 'tls' (layer) sets 'keystore' to 'server.p12', a relative path, which names another"
            + " file in each directory (expected: an absolute path; an install resolves it).\n",
        cli.generic(verify.err()));

    Cli.Run install =
        new Cli(files.resolve("other-home"))
            .run(
                "catalog",
                "install",
                "--layer",
                "tls",
                "--over",
                "tcp4",
                "--set",
                "trust=" + relative);
    assertEquals(1, install.code(), install.toString());
    assertEquals(
        "protochain catalog install: installing layer 'tls': entry 2001 'tls' (layer) sets 'trust' to"
            + " '"
            + keystore
            + "', a file that does not exist\n",
        install.err().substring(install.err().indexOf("protochain catalog install: installing")));
  }

  /** Makes a PKCS#12 keystore with a self-signed EC key, password {@code changeit}, by keytool. */
  static Path keystore(Path file) throws Exception {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    Path keytool = java.resolveSibling("keytool");
    Process p =
        new ProcessBuilder(
                List.of(
                    keytool.toString(),
                    "-genkeypair",
                    "-alias",
                    "server",
                    "-keyalg",
                    "EC",
                    "-dname",
                    "CN=localhost",
                    "-validity",
                    "2",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    file.toString(),
                    "-storepass",
                    "changeit"))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), Charset.defaultCharset());
    assertEquals(true, p.waitFor(30, TimeUnit.SECONDS), "keytool hangs");
    assertEquals(0, p.exitValue(), out);
    return file;
  }
}
