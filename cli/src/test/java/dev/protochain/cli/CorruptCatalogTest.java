package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corrupt catalog of each kind makes every command fail with one line naming the file and the
 * problem, leaves the file and its backup as they were, and {@code catalog restore} brings the
 * backup back (as does {@code catalog reset} with the built-in bases).
 */
class CorruptCatalogTest {

  /** The kinds of corruption, each with what it does to the file and the problem reported. */
  enum Corruption {
    TRUNCATED("the file ends in the middle of its JSON (line 8, column 1); it is truncated.") {
      @Override
      String apply(String json) {
        return json.substring(0, 160);
      }
    },
    NOT_JSON(
        "the file is not JSON: Unexpected character ('<' (code 60)): expected a valid value (JSON String,"
            + " Number, Array, Object or token 'null', 'true' or 'false') (line 1, column 1).") {
      @Override
      String apply(String json) {
        return "<catalog><entry id=\"1001\"/></catalog>\n";
      }
    },
    UNKNOWN_SCHEMA_VERSION(
        "the file has schema version 2; this release of protochain reads schema version 1"
            + " only.") {
      @Override
      String apply(String json) {
        return json.replace("\"schemaVersion\": 1,", "\"schemaVersion\": 2,");
      }
    },
    MISSING_ID(
        "entry 3001 'trace-tcp4' (chain [2001, 1001]) names entry 2001, which does not exist.") {
      @Override
      String apply(String json) {
        return json.replace("\"id\": 2001,", "\"id\": 2011,")
            .replace("\"name\": \"trace\",", "\"name\": \"trace2\",");
      }
    };

    final String problem;

    Corruption(String problem) {
      this.problem = problem;
    }

    abstract String apply(String json);
  }

  static final List<List<String>> COMMANDS =
      List.of(
          List.of("catalog", "show"),
          List.of("catalog", "show", "--json"),
          List.of("catalog", "install", "--layer", "coalesce", "--over", "1001"),
          List.of("catalog", "remove", "3001"),
          List.of("catalog", "order", "1001,3001"),
          List.of("catalog", "verify"),
          List.of("catalog", "explain", "inet", "stream", "tcp"),
          List.of("connect", "127.0.0.1", "9"),
          List.of("listen", "--bind", "127.0.0.1", "0"));

  @TempDir Path home;

  Cli cli;
  String valid;
  byte[] backup;

  @BeforeEach
  void catalogWithABackup() throws Exception {
    cli = new Cli(home);
    cli.ok("catalog", "install", "--layer", "trace", "--over", "tcp4");
    valid = Files.readString(home.resolve("catalog.json"));
    backup = Files.readAllBytes(home.resolve("catalog.json.bak"));
  }

  static Stream<Arguments> corruptionsAndCommands() {
    List<Arguments> all = new ArrayList<>();
    for (Corruption c : Corruption.values()) {
      for (List<String> command : COMMANDS) {
        all.add(Arguments.of(c, command));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("corruptionsAndCommands")
  void everyCommandFailsWithOneLineNamingTheFileAndLeavesItAsItWas(
      Corruption corruption, List<String> command) throws Exception {
    String corrupt = corruption.apply(valid);
    Files.writeString(home.resolve("catalog.json"), corrupt);

    Cli.Run run = cli.run(command.toArray(String[]::new));

    String name = command.get(0).equals("catalog") ? "catalog " + command.get(1) : command.get(0);
    String error = "catalog invalid (HOME/catalog.json): " + corruption.problem;
    assertEquals(1, run.code(), run.toString());
    assertEquals("protochain " + name + ": " + error + "\n", cli.generic(run.err()));
    assertEquals(
        command.get(1).equals("verify")
            ? "catalog invalid (HOME/catalog.json):\n\n1) " + corruption.problem + "\n\n1 problem\n"
            : "",
        cli.generic(run.stdout()));
    assertEquals(corrupt, Files.readString(home.resolve("catalog.json")));
    assertArrayEquals(backup, Files.readAllBytes(home.resolve("catalog.json.bak")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void restoreBringsTheBackupBackAndKeepsTheCorruptFile(Corruption corruption) throws Exception {
    String corrupt = corruption.apply(valid);
    Files.writeString(home.resolve("catalog.json"), corrupt);

    assertEquals(
        "restored the backup HOME/catalog.json.bak: 6 entries (6 bases, 0 layers, 0 chains)\n"
            + "wrote generation 2 of HOME/catalog.json; the unreadable catalog is kept in HOME/catalog.json.unreadable"
            + " and the backup is unchanged\n",
        cli.ok("catalog", "restore"));
    assertEquals(corrupt, Files.readString(home.resolve("catalog.json.unreadable")));
    assertEquals(
        "HOME/catalog.json, generation 2: sound; 6 entries (6 bases, 0 layers, 0 chains), every provider"
            + " found on the class path\n",
        cli.ok("catalog", "verify"));
    assertArrayEquals(backup, Files.readAllBytes(home.resolve("catalog.json.bak")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void resetReplacesTheCorruptCatalogByTheBuiltinBases(Corruption corruption) throws Exception {
    String corrupt = corruption.apply(valid);
    Files.writeString(home.resolve("catalog.json"), corrupt);

    assertEquals(
        "reset the catalog to the built-in base entries 1001 'tcp4', 1002 'tcp6', 1003 'udp4', 1004 'udp6',"
            + " 1005 'mem-stream', 1006 'mem-dgram'\n"
            + "wrote generation 2 of HOME/catalog.json; the unreadable catalog is kept in HOME/catalog.json.unreadable"
            + " and the backup is unchanged\n",
        cli.ok("catalog", "reset"));
    assertEquals(corrupt, Files.readString(home.resolve("catalog.json.unreadable")));
    assertArrayEquals(backup, Files.readAllBytes(home.resolve("catalog.json.bak")));
  }

  static Stream<Corruption> corruptions() {
    return Stream.of(Corruption.values());
  }
}
