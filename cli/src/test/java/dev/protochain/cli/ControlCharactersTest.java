package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Terminal control characters from a catalog or an argument (escape sequences, bell, carriage
 * return, C1 controls, bidirectional overrides) reach the terminal escaped as {@code \\uXXXX}, in
 * tables and in errors alike.
 */
class ControlCharactersTest {

  /** ESC [2J (clear the screen), CSI (C1) 31m, a right-to-left override. */
  static final String RAW = "\u001b[2J\u009b31m\u202e";

  static final String ESCAPED = "\\u001B[2J\\u009B31m\\u202E";

  @TempDir Path home;

  Cli cli;

  @BeforeEach
  void catalog() {
    cli = new Cli(home);
    cli.ok("catalog", "install", "--layer", "trace", "--over", "tcp4", "--set", "level=info");
  }

  private void edit(String from, String to) throws Exception {
    Path file = home.resolve("catalog.json");
    String json = Files.readString(file);
    assertTrue(json.contains(from), json);
    Files.writeString(file, json.replace(from, to));
  }

  @Test
  void aSettingValueIsEscapedInTheTable() throws Exception {
    edit("\"level\": \"info\"", "\"level\": \"in\\u0007fo\\r" + "\\u001b[2J\\u009b31m\\u202e\"");
    Cli.Run r = cli.run("catalog", "show");
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.stdout()
            .endsWith("\nsettings:\n  2001 'trace': level=in\\u0007fo\\u000D" + ESCAPED + "\n"),
        r.stdout());
  }

  @Test
  void aMalformedNameIsEscapedInTheError() throws Exception {
    edit("\"name\": \"trace-tcp4\"", "\"name\": \"trace\\u001b[2J\\u009b31m\\u202e\"");
    Cli.Run r = cli.run("catalog", "show");
    assertEquals(1, r.code(), r.toString());
    assertEquals(
        "protochain catalog show: catalog invalid ("
            + home.resolve("catalog.json")
            + "): entry 3001 'trace"
            + ESCAPED
            + "' (chain [2001, 1001]) has a malformed name (expected: lower-case letters, digits and"
            + " '-', starting with a letter).\n",
        r.err());
  }

  @Test
  void anArgumentIsEscapedInTheError() {
    Cli.Run r = cli.run("catalog", "remove", "x" + RAW);
    assertEquals(1, r.code(), r.toString());
    assertEquals(
        "protochain catalog remove: there is no entry named 'x" + ESCAPED + "'\n", r.err());
  }

  @Test
  void theJsonStaysValidAndMeansTheSame() throws Exception {
    edit("\"level\": \"info\"", "\"level\": \"\\u007f\\u0085\"");
    Cli.Run r = cli.run("catalog", "show", "--json");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.stdout().contains("\"level\": \"\\u007F\\u0085\""), r.stdout());
  }
}
