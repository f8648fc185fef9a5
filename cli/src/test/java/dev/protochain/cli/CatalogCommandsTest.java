package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import dev.protochain.runtime.testing.ExternalProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The output of every catalog command on a fixed catalog, compared whole: the built-in bases,
 * {@code coalesce} (delay=0) over tcp4, and {@code trace} (level=info) over that chain and over
 * tcp6.
 */
class CatalogCommandsTest {

  static final String TABLE_HEAD =
      "ID    NAME                 KIND   CHAIN                    SERVES                  FLAGS                        "
          + "      VER  PROVIDER\n";
  static final String ROW_3002 =
      "3002  trace-coalesce-tcp4  chain  trace > coalesce > tcp4  inet/stream/tcp         delivery,order,graceful-close"
          + "      2    b103522e-ae6d-4bd9-97f8-2ed05f7e13ee\n";
  static final String ROW_3001 =
      "3001  coalesce-tcp4        chain  coalesce > tcp4          inet/stream/tcp         delivery,order,graceful-close"
          + "      2    24cae5cd-ba45-4971-a8a2-fcb69c59e043\n";
  static final String ROW_1001 =
      "1001  tcp4                 base   -                        inet/stream/tcp         delivery,order,graceful-close"
          + "      2    e85577c8-77f9-4b92-99fb-3692a01855bd\n";
  static final String ROW_3003 =
      "3003  trace-tcp6           chain  trace > tcp6             inet6/stream/tcp        delivery,order,graceful-close"
          + "      2    b103522e-ae6d-4bd9-97f8-2ed05f7e13ee\n";
  static final String ROWS_BASES_FROM_1002 =
      "1002  tcp6                 base   -                        inet6/stream/tcp        delivery,order,graceful-close"
          + "      2    e85577c8-77f9-4b92-99fb-3692a01855bd\n"
          + "1003  udp4                 base   -                        inet/datagram/udp       connectionless,messages,"
          + "broadcast  2    22eb1599-dac5-4d67-bcd6-e13e268039ad\n"
          + "1004  udp6                 base   -                        inet6/datagram/udp      connectionless,messages  "
          + "          2    22eb1599-dac5-4d67-bcd6-e13e268039ad\n"
          + "1005  mem-stream           base   -                        memory/stream/memory    delivery,order,graceful-"
          + "close      2    d2bc4dc3-028d-4d53-86cd-d1d3f4f94e65\n"
          + "1006  mem-dgram            base   -                        memory/datagram/memory  connectionless,messages  "
          + "          2    d2bc4dc3-028d-4d53-86cd-d1d3f4f94e65\n";
  static final String ROWS_LAYERS =
      "2001  coalesce             layer  -                        -                       delivery,order,graceful-close"
          + "      2    24cae5cd-ba45-4971-a8a2-fcb69c59e043\n"
          + "2002  trace                layer  -                        -                       delivery,order,graceful-"
          + "close      2    b103522e-ae6d-4bd9-97f8-2ed05f7e13ee\n";

  @TempDir Path home;

  Cli cli;

  @BeforeEach
  void fixedCatalog() {
    cli = new Cli(home);
    Cli.Run first =
        cli.run("catalog", "install", "--layer", "coalesce", "--over", "tcp4", "--set", "delay=0");
    assertEquals(0, first.code(), first.toString());
    assertEquals(
        "protochain catalog install: created "
            + home.resolve("catalog.json")
            + " with the built-in base entries (generation 1)\n",
        first.err());
    assertEquals(
        "installed layer 'coalesce' (delay=0) as entry 2001 and chain 3001 'coalesce-tcp4' (before 1001"
            + " 'tcp4')\nwrote generation 2 of HOME/catalog.json; the backup (catalog.json.bak) holds generation 1\n",
        cli.generic(first.stdout()));
    assertEquals(
        "installed layer 'trace' (level=info) as entry 2002 and chains 3002 'trace-coalesce-tcp4' (before"
            + " 3001 'coalesce-tcp4'), 3003 'trace-tcp6' (before 1002 'tcp6')\n"
            + "wrote generation 3 of HOME/catalog.json; the backup (catalog.json.bak) holds generation 2\n",
        cli.ok(
            "catalog",
            "install",
            "--layer",
            "trace",
            "--over",
            "3001,1002",
            "--set",
            "level=info"));
  }

  /* ---- show ---- */

  @Test
  void showPrintsTheCatalogInSelectionOrderAndTheSettings() {
    assertEquals(
        "catalog HOME/catalog.json, generation 3: 11 entries (6 bases, 2 layers, 3 chains)\n\n"
            + TABLE_HEAD
            + ROW_3002
            + ROW_3001
            + ROW_1001
            + ROW_3003
            + ROWS_BASES_FROM_1002
            + ROWS_LAYERS
            + "\nsettings:\n  2001 'coalesce': delay=0\n  2002 'trace': level=info\n",
        cli.ok("catalog", "show"));
  }

  @Test
  void showJsonPrintsWhatTheFileHolds() throws Exception {
    assertEquals(
        Files.readString(home.resolve("catalog.json")),
        cli.run("catalog", "show", "--json").stdout());
    assertTrue(
        cli.ok("catalog", "show", "--json")
            .startsWith("{\n  \"schemaVersion\": 1,\n  \"generation\": 3,\n"));
  }

  @Test
  void showDotDrawsEveryEntryAndEachChainAsAPathOfEdges() throws Exception {
    String expected;
    try (var in = CatalogCommandsTest.class.getResourceAsStream("catalog-show.dot")) {
      expected = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    assertEquals(expected, cli.ok("catalog", "show", "--format", "dot"));
    assertEquals(expected, cli.ok("catalog", "show", "--format", "DOT"));
  }

  @Test
  void showDotRendersWithGraphvizToAnSvgOfEveryEntryAndChain() throws Exception {
    Path dotFile = home.resolve("catalog.dot");
    Files.writeString(dotFile, cli.ok("catalog", "show", "--format", "dot"));
    String svg =
        ExternalProcess.run(
            home,
            List.of(
                ExternalProcess.locate("dot", "graphviz").toString(), "-Tsvg", dotFile.toString()));
    assertTrue(svg.contains("<svg"), svg);
    for (String entry :
        List.of(
            "3002 trace&#45;coalesce&#45;tcp4",
            "3001 coalesce&#45;tcp4",
            "3003 trace&#45;tcp6",
            "2001 coalesce",
            "2002 trace",
            "1001 tcp4",
            "1002 tcp6",
            "1003 udp4",
            "1004 udp6",
            "1005 mem&#45;stream",
            "1006 mem&#45;dgram")) {
      assertTrue(svg.contains(">" + entry + "</text>"), entry + " drawn in:\n" + svg);
    }
    for (String edge :
        List.of(
            "e3002&#45;&gt;e2002",
            "e2002&#45;&gt;e2001",
            "e2001&#45;&gt;e1001",
            "e3003&#45;&gt;e2002",
            "e2002&#45;&gt;e1002",
            "e3001&#45;&gt;e2001")) {
      assertTrue(svg.contains("<title>" + edge + "</title>"), edge + " drawn in:\n" + svg);
    }
  }

  @Test
  void theReadmesPictureIsWhatShowDotPrintsForTheDemosCatalog() throws Exception {
    Cli demo = new Cli(home.resolve("demo"));
    demo.run("catalog", "install", "--layer", "coalesce", "--over", "tcp4");
    demo.ok("catalog", "install", "--layer", "trace", "--over", "coalesce-tcp4");
    String dot = demo.ok("catalog", "show", "--format", "dot");
    Path docs = Path.of("..", "docs");
    assertEquals(Files.readString(docs.resolve("catalog.dot")), dot);
    assertEquals(
        CatalogDot.format(
            DemoCommand.demoCatalog(),
            "protochain catalog, generation 3: 10 entries (6 bases, 2 layers, 2 chains)"),
        dot,
        "the demo's own catalog");
    String svg = Files.readString(docs.resolve("catalog.svg"));
    for (String entry :
        List.of("3002 trace&#45;coalesce&#45;tcp4", "2001 coalesce", "1006 mem&#45;dgram")) {
      assertTrue(svg.contains(">" + entry + "</text>"), entry + " in docs/catalog.svg");
    }
  }

  @Test
  void showRefusesAnUnknownFormatAndTwoFormatsAtOnce() {
    Cli.Run xml = cli.run("catalog", "show", "--format", "xml");
    assertEquals(2, xml.code(), xml.toString());
    assertTrue(
        xml.err().contains("'xml' is not a format (expected: table, json or dot)"), xml.err());
    Cli.Run both = cli.run("catalog", "show", "--json", "--format", "dot");
    assertEquals(2, both.code(), both.toString());
    assertTrue(both.err().contains("--json and --format dot: give one of them"), both.err());
    assertEquals(cli.ok("catalog", "show"), cli.ok("catalog", "show", "--format", "table"));
  }

  /* ---- install ---- */

  @Test
  void installAllListsTheEntriesPassedOver() throws Exception {
    Cli fresh = new Cli(home.resolve("fresh"));
    assertEquals(
        "installed layer 'coalesce' as entry 2001 and chains 3001 'coalesce-tcp4' (before 1001 'tcp4'),"
            + " 3002 'coalesce-tcp6' (before 1002 'tcp6'), 3003 'coalesce-mem-stream' (before 1005 'mem-stream')\n"
            + "passed over 1003 'udp4': layer 'coalesce' requires GUARANTEED_ORDER below it, and its base 1003 'udp4' provides"
            + " CONNECTIONLESS, MESSAGE_ORIENTED, SUPPORT_BROADCAST\n"
            + "passed over 1004 'udp6': layer 'coalesce' requires GUARANTEED_ORDER below it, and its base 1004 'udp6' provides"
            + " CONNECTIONLESS, MESSAGE_ORIENTED\n"
            + "passed over 1006 'mem-dgram': layer 'coalesce' requires GUARANTEED_ORDER below it, and its base 1006 'mem-dgram'"
            + " provides CONNECTIONLESS, MESSAGE_ORIENTED\n"
            + "wrote generation 2 of HOME/catalog.json; the backup (catalog.json.bak) holds generation 1\n",
        fresh.ok("catalog", "install", "--layer", "coalesce", "--all"));
  }

  @Test
  void installRefusesAnUnknownLayerNamingTheLayersOnTheClassPath() {
    String layers =
        Main.providers().descriptors().stream()
            .filter(d -> d.kind() == EntryKind.LAYER)
            .map(ProviderDescriptor::name)
            .sorted()
            .collect(Collectors.joining(", "));
    assertTrue(layers.contains("coalesce") && layers.contains("trace"), layers);

    assertRefused(
        1,
        "protochain catalog install: there is no layer named 'gzip' on the class path or among the installed plugins (layers there: "
            + layers
            + ")",
        "catalog",
        "install",
        "--layer",
        "gzip",
        "--all");
  }

  @Test
  void installRefusesSettingsTheLayerDoesNotDeclare() {
    assertRefused(
        1,
        "protochain catalog install: installing layer 'coalesce': entry 2003 'coalesce' (layer) sets 'level', which"
            + " provider 'coalesce' does not accept (accepted: threshold, delay, flush-on-receive); 1003 'udp4': layer"
            + " 'coalesce' requires GUARANTEED_ORDER"
            + " below it, and its base 1003 'udp4' provides CONNECTIONLESS, MESSAGE_ORIENTED, SUPPORT_BROADCAST",
        "catalog",
        "install",
        "--layer",
        "coalesce",
        "--over",
        "udp4",
        "--set",
        "level=info");
  }

  @Test
  void installRefusesASettingValueTheLayerRejectsWhenItStarts() throws Exception {
    cli.ok("catalog", "remove", "trace", "--cascade");
    assertRefused(
        1,
        "protochain catalog install: installing layer 'trace': entry 3002 'trace-tcp4' (chain [2002,"
            + " 1001]) does not start: provider 'trace' (entry 2002) failed to load:"
            + " java.lang.IllegalArgumentException: setting 'level' of entry 2002 'trace' (layer) = 'loud' (expected:"
            + " trace, debug or info); nothing was installed",
        "catalog",
        "install",
        "--layer",
        "trace",
        "--over",
        "1001",
        "--set",
        "level=loud");
  }

  @Test
  void installRefusesALayerInstalledAlready() {
    assertRefused(
        1,
        "protochain catalog install: installing layer 'trace': an entry with that name exists already",
        "catalog",
        "install",
        "--layer",
        "trace",
        "--over",
        "1003");
  }

  @Test
  void installRefusesAMissingTarget() {
    cli.ok("catalog", "remove", "trace", "--cascade");
    assertRefused(
        1,
        "protochain catalog install: there is no entry named 'tcp9'",
        "catalog",
        "install",
        "--layer",
        "trace",
        "--over",
        "tcp4,tcp9");
    assertRefused(
        1,
        "protochain catalog install: installing layer 'trace': no entry 4242 to install it over",
        "catalog",
        "install",
        "--layer",
        "trace",
        "--over",
        "4242");
  }

  @Test
  void installNeedsOverOrAll() {
    assertRefused(
        2,
        "protochain catalog install: Missing required argument (specify one of these):"
            + " (--over=ID[,ID...] [--over=ID[,ID...]]... | --all) (see 'protochain catalog install --help')",
        "catalog",
        "install",
        "--layer",
        "trace");
    assertRefused(
        2,
        "protochain catalog install: --over=ID, --all are mutually exclusive (specify"
            + " only one) (see 'protochain catalog install --help')",
        "catalog",
        "install",
        "--layer",
        "trace",
        "--all",
        "--over",
        "1001");
  }

  /* ---- remove ---- */

  @Test
  void removeRefusesToBreakChainsAndListsThem() {
    assertRefused(
        1,
        "protochain catalog remove: removing layer 2001 'coalesce': chains 3002 'trace-coalesce-tcp4',"
            + " 3001 'coalesce-tcp4' depend on it; remove them first, or use --cascade",
        "catalog",
        "remove",
        "2001");
  }

  @Test
  void removeWithCascadeRemovesTheChainsToo() {
    assertEquals(
        "removed layer 2001 'coalesce' and the chains over it: 3002 'trace-coalesce-tcp4', 3001"
            + " 'coalesce-tcp4'\nwrote generation 4 of HOME/catalog.json; the backup (catalog.json.bak) holds"
            + " generation 3\n",
        cli.ok("catalog", "remove", "coalesce", "--cascade"));
  }

  @Test
  void removingTheLastChainOfALayerSaysTheLayerIsLeftAlone() {
    assertEquals(
        "removed chain 3002 'trace-coalesce-tcp4'\n"
            + "wrote generation 4 of HOME/catalog.json; the backup (catalog.json.bak) holds generation 3\n",
        cli.ok("catalog", "remove", "3002"));
    assertEquals(
        "removed chain 3001 'coalesce-tcp4'\n"
            + "layer 2001 'coalesce' is now in no chain; 'protochain catalog remove 2001' removes it\n"
            + "wrote generation 5 of HOME/catalog.json; the backup (catalog.json.bak) holds generation 4\n",
        cli.ok("catalog", "remove", "coalesce-tcp4"));
  }

  @Test
  void removeRefusesAMissingEntry() {
    assertRefused(1, "protochain catalog remove: there is no entry 77", "catalog", "remove", "77");
  }

  /* ---- order ---- */

  @Test
  void orderRewritesTheSelectionOrder() {
    assertEquals(
        "ordered the catalog: 1001 'tcp4', 3001 'coalesce-tcp4', 3002 'trace-coalesce-tcp4', 1002 'tcp6',"
            + " 3003 'trace-tcp6', 1003 'udp4', 1004 'udp6', 1005 'mem-stream', 1006 'mem-dgram'; then the layers' own"
            + " entries 2001 'coalesce', 2002 'trace'\n"
            + "wrote generation 4 of HOME/catalog.json; the backup (catalog.json.bak) holds generation 3\n",
        cli.ok("catalog", "order", "tcp4,3001,3002,1002,3003,1003,1004,1005,1006"));
    assertEquals(
        "INET/STREAM/TCP selects 1001 'tcp4' (base)",
        cli.ok("catalog", "explain", "inet", "stream", "tcp").lines().findFirst().orElseThrow());
    assertEquals(
        "the catalog is in that order already (generation 4); nothing written\n",
        cli.ok("catalog", "order", "1001,3001,3002,1002,3003,1003,1004,1005,1006"));
  }

  @Test
  void orderRefusesAnIncompleteOrderNamingEveryProblem() {
    assertRefused(
        1,
        "protochain catalog order: ordering the catalog: 2001 'coalesce' is a layer's own entry (name"
            + " base and chain entries only); 1001 'tcp4' is named twice; 3003 'trace-tcp6', 1002 'tcp6', 1004 'udp6',"
            + " 1005 'mem-stream', 1006 'mem-dgram' are left out (name every base and chain entry)",
        "catalog",
        "order",
        "3002,3001,1001,2001,1001,1003");
  }

  /* ---- reset and restore ---- */

  @Test
  void resetReturnsToTheBuiltinBasesAndRestoreBringsTheCatalogBack() {
    assertEquals(
        "reset the catalog to the built-in base entries 1001 'tcp4', 1002 'tcp6', 1003 'udp4', 1004 'udp6',"
            + " 1005 'mem-stream', 1006 'mem-dgram'; removed 3002 'trace-coalesce-tcp4', 3001 'coalesce-tcp4', 3003"
            + " 'trace-tcp6', 2001 'coalesce', 2002 'trace'\n"
            + "wrote generation 4 of HOME/catalog.json; the backup (catalog.json.bak) holds generation 3\n",
        cli.ok("catalog", "reset"));
    assertEquals(
        "restored the backup HOME/catalog.json.bak: 11 entries (6 bases, 2 layers, 3 chains)\n"
            + "wrote generation 5 of HOME/catalog.json; the backup (catalog.json.bak) holds generation 4\n",
        cli.ok("catalog", "restore"));
    assertTrue(cli.ok("catalog", "show").contains(ROW_3002), "the chains are back");
  }

  /* ---- verify ---- */

  @Test
  void verifySaysTheCatalogIsSound() {
    assertEquals(
        "HOME/catalog.json, generation 3: sound; 11 entries (6 bases, 2 layers, 3 chains), every provider"
            + " found on the class path\n",
        cli.ok("catalog", "verify"));
  }

  @Test
  void verifyListsEveryProblemAndFails() throws Exception {
    CatalogStore store = CatalogStore.open(ProtochainHome.of(home));
    store.update(
        "install a ghost",
        c ->
            c.installLayer(
                "ghost",
                java.util.UUID.fromString("00000000-0000-0000-0000-0000000000ff"),
                java.util.Map.of("x", "1"),
                List.of(1003)));

    Cli.Run run = cli.run("catalog", "verify");

    assertEquals(1, run.code(), run.toString());
    assertEquals(
        "catalog invalid (HOME/catalog.json, generation 4):\n\n"
            + "1) entry 2003 'ghost' (layer) names provider 00000000-0000-0000-0000-0000000000ff, which is not in class"
            + " path.\n\n1 problem\n",
        cli.generic(run.stdout()));
    assertEquals(
        "protochain catalog verify: catalog invalid (HOME/catalog.json, generation 4): entry 2003 'ghost'"
            + " (layer) names provider 00000000-0000-0000-0000-0000000000ff, which is not in class path.\n",
        cli.generic(run.err()));
  }

  /* ---- explain ---- */

  @Test
  void explainNamesTheChosenEntryAndWhyEveryOtherWasPassedOver() {
    assertEquals(
        String.join(
            "\n",
            "INET6/STREAM/TCP selects 3003 'trace-tcp6' (chain trace > tcp6)",
            "passed over:",
            "  3002 'trace-coalesce-tcp4'  serves INET/STREAM/TCP",
            "  3001 'coalesce-tcp4'        serves INET/STREAM/TCP",
            "  1001 'tcp4'                 serves INET/STREAM/TCP",
            "  1002 'tcp6'                 matches, but comes after entry 3003 'trace-tcp6'",
            "  1003 'udp4'                 serves INET/DATAGRAM/UDP",
            "  1004 'udp6'                 serves INET6/DATAGRAM/UDP",
            "  1005 'mem-stream'           serves MEMORY/STREAM/MEMORY",
            "  1006 'mem-dgram'            serves MEMORY/DATAGRAM/MEMORY",
            "  2001 'coalesce'             a layer's own entry; applications never select it",
            "  2002 'trace'                a layer's own entry; applications never select it",
            ""),
        cli.ok("catalog", "explain", "inet6", "stream", "tcp"));
  }

  @Test
  void explainInSafeModeChoosesTheBase() {
    assertEquals(
        String.join(
            "\n",
            "INET/STREAM/TCP in safe mode selects 1001 'tcp4' (base)",
            "passed over:",
            "  3002 'trace-coalesce-tcp4'  a chain; safe mode selects base entries only",
            "  3001 'coalesce-tcp4'        a chain; safe mode selects base entries only"),
        cli.ok("catalog", "explain", "--safe-mode", "ipv4", "stream", "tcp")
            .lines()
            .limit(4)
            .collect(Collectors.joining("\n")));
  }

  @Test
  void explainFailsWhenNoEntryServesTheRequest() {
    Cli.Run run = cli.run("catalog", "explain", "inet", "stream", "udp");
    assertEquals(1, run.code(), run.toString());
    assertEquals(
        "INET/STREAM/UDP selects no entry", run.stdout().lines().findFirst().orElseThrow());
    assertEquals(
        "protochain catalog explain: no catalog entry serves INET/STREAM/UDP\n", run.err());
  }

  @Test
  void explainRefusesAnUnknownFamilyAsAUsageError() {
    assertRefused(
        2,
        "protochain catalog explain: Invalid value for positional parameter at index 0 (FAMILY): unknown"
            + " address family 'inet7' (expected: inet, inet6 or memory) (see 'protochain catalog explain --help')",
        "catalog",
        "explain",
        "inet7",
        "stream",
        "tcp");
  }

  /* ---- the command line ---- */

  @ParameterizedTest
  @ValueSource(
      strings = {"show", "install", "remove", "order", "reset", "restore", "verify", "explain"})
  void everyCatalogCommandHasHelp(String command) {
    Cli.Run run = cli.run("catalog", command, "--help");
    assertEquals(0, run.code(), run.toString());
    assertTrue(run.stdout().startsWith("Usage: protochain catalog " + command + " "), run.stdout());
    assertTrue(run.stdout().contains("--home=DIR"), run.stdout());
  }

  @ParameterizedTest
  @ValueSource(strings = {"catalog", "connect", "listen", "demo"})
  void everyCommandHasHelp(String command) {
    Cli.Run run = cli.run(command, "--help");
    assertEquals(0, run.code(), run.toString());
    assertTrue(run.stdout().startsWith("Usage: protochain " + command + " "), run.stdout());
  }

  @Test
  void catalogWithoutASubcommandIsAUsageError() {
    assertRefused(
        2,
        "protochain catalog: name a subcommand: show, install, remove, order, reset, restore, verify,"
            + " explain or layers (see 'protochain catalog --help')",
        "catalog");
  }

  @Test
  void theHomeComesFromTheEnvironmentWhenNotGiven() throws Exception {
    Path other = home.resolve("from-env");
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

    int code =
        Main.run(
            new String[] {"catalog", "verify"},
            java.io.InputStream.nullInputStream(),
            out,
            err,
            java.util.Map.of("PROTOCHAIN_HOME", other.toString()));

    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    assertEquals(
        other
            + "/catalog.json, generation 1: sound; 6 entries (6 bases, 0 layers, 0 chains), every"
            + " provider found on the class path\n",
        out.toString(StandardCharsets.UTF_8));
    assertTrue(Files.isRegularFile(other.resolve("catalog.json")));
  }

  @Test
  void aHomeThatIsAFileIsAnIoError() throws Exception {
    Path file = Files.writeString(home.resolve("not-a-dir"), "x");
    Cli.Run run = new Cli(file).run("catalog", "show");
    assertEquals(3, run.code(), run.toString());
    assertEquals(
        "protochain catalog show: " + file.resolve("catalog.json") + ": Not a directory\n",
        run.err());
  }

  @Test
  void aWriterThatCannotGetTheLockGivesUpWithCatalogBusy() throws Exception {
    CatalogStore store = CatalogStore.open(ProtochainHome.of(home));
    java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread holder =
        new Thread(
            () -> {
              try {
                store.update(
                    "hold the lock",
                    c -> {
                      holding.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                      }
                      return c;
                    });
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    holder.start();
    try {
      assertTrue(holding.await(10, java.util.concurrent.TimeUnit.SECONDS));
      String note = Files.readString(home.resolve("catalog.lock")).strip();

      Cli.Run run = cli.run("--lock-wait", "300ms", "catalog", "remove", "3003");

      assertEquals(3, run.code(), run.toString());
      assertEquals(
          "protochain catalog remove: waiting for the catalog lock HOME/catalog.lock, held by "
              + note
              + "\n"
              + "protochain catalog remove: catalog busy: HOME/catalog.lock is held by "
              + note
              + "; gave up after waiting 300ms\n",
          cli.generic(run.err()));
    } finally {
      release.countDown();
      holder.join();
    }
  }

  private void assertRefused(int code, String error, String... args) {
    byte[] before = bytes(home.resolve("catalog.json"));
    Cli.Run run = cli.run(args);
    assertEquals(code, run.code(), run.toString());
    assertEquals(error + "\n", cli.generic(run.err()));
    assertEquals("", run.stdout());
    assertTrue(
        java.util.Arrays.equals(before, bytes(home.resolve("catalog.json"))),
        "the catalog changed");
  }

  private static byte[] bytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
