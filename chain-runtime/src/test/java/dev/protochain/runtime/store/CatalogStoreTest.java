package dev.protochain.runtime.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.Session;
import dev.protochain.api.SocketType;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogInvalidException;
import dev.protochain.runtime.ChainRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CatalogStoreTest {

  static final UUID LAYER = UUID.fromString("00000000-0000-0000-0000-00000000000a");

  @TempDir Path dir;

  CatalogStore store;

  @org.junit.jupiter.api.BeforeEach
  void open() {
    store = CatalogStore.open(ProtochainHome.of(dir));
  }

  static Catalog withLayer(String name, int... targets) {
    List<Integer> over = new ArrayList<>();
    for (int t : targets) {
      over.add(t);
    }
    return Catalog.builtin().installLayer(name, LAYER, Map.of("k", name), over);
  }

  /* ---- reading and writing ---- */

  @Test
  void theFirstReadCreatesTheBuiltinCatalogAsGenerationOne() throws Exception {
    assertFalse(Files.exists(store.file()));

    StoredCatalog first = store.read();

    assertEquals(new StoredCatalog(Catalog.builtin(), 1), first);
    assertTrue(Files.exists(store.file()));
    assertEquals(Optional.empty(), store.readBackup());
    assertEquals(first, store.read());
  }

  @Test
  void theFirstReadSaysItCreatedTheCatalog() throws Exception {
    List<String> notes = new ArrayList<>();
    CatalogStore noted = CatalogStore.builder(ProtochainHome.of(dir)).onNote(notes::add).build();
    noted.read();
    noted.read();
    assertEquals(
        List.of("created " + store.file() + " with the built-in base entries (generation 1)"),
        notes);
  }

  @Test
  void theFirstUseCreatesTheHomeDirectory() throws Exception {
    CatalogStore nested = CatalogStore.open(ProtochainHome.of(dir.resolve("a/b")));
    assertEquals(1, nested.read().generation());
    assertTrue(Files.isRegularFile(dir.resolve("a/b/catalog.json")));
  }

  @Test
  void theFileHoldsTheSchemaVersionTheGenerationAndEveryFieldOfEveryEntry() throws Exception {
    Catalog catalog =
        Catalog.of(
            List.of(
                CatalogEntry.builder()
                    .id(3001)
                    .name("x-tcp4")
                    .providerId(LAYER)
                    .serves(AddressFamily.INET, SocketType.STREAM, Protocol.TCP)
                    .flags(EnumSet.of(ServiceFlag.GUARANTEED_ORDER))
                    .version(2)
                    .chain(ProtocolChain.of(2001, 1001))
                    .build(),
                Catalog.builtin().entry(1001).orElseThrow(),
                CatalogEntry.builder()
                    .id(2001)
                    .name("x")
                    .providerId(LAYER)
                    .serves(AddressFamily.INET, SocketType.STREAM, Protocol.TCP)
                    .version(1)
                    .settings(Map.of("b", "2", "a", "1"))
                    .build()));

    store.update("write a small catalog", current -> catalog);

    assertEquals(
        String.join(
            "\n",
            "{",
            "  \"schemaVersion\": 1,",
            "  \"generation\": 2,",
            "  \"entries\": [ {",
            "    \"id\": 3001,",
            "    \"name\": \"x-tcp4\",",
            "    \"providerId\": \"00000000-0000-0000-0000-00000000000a\",",
            "    \"family\": \"INET\",",
            "    \"type\": \"STREAM\",",
            "    \"protocol\": \"TCP\",",
            "    \"flags\": [ \"GUARANTEED_ORDER\" ],",
            "    \"version\": 2,",
            "    \"chain\": [ 2001, 1001 ],",
            "    \"settings\": { }",
            "  }, {",
            "    \"id\": 1001,",
            "    \"name\": \"tcp4\",",
            "    \"providerId\": \"e85577c8-77f9-4b92-99fb-3692a01855bd\",",
            "    \"family\": \"INET\",",
            "    \"type\": \"STREAM\",",
            "    \"protocol\": \"TCP\",",
            "    \"flags\": [ \"GUARANTEED_DELIVERY\", \"GUARANTEED_ORDER\", \"GRACEFUL_CLOSE\" ],",
            "    \"version\": 2,",
            "    \"chain\": [ 1001 ],",
            "    \"settings\": { }",
            "  }, {",
            "    \"id\": 2001,",
            "    \"name\": \"x\",",
            "    \"providerId\": \"00000000-0000-0000-0000-00000000000a\",",
            "    \"family\": \"INET\",",
            "    \"type\": \"STREAM\",",
            "    \"protocol\": \"TCP\",",
            "    \"flags\": [ ],",
            "    \"version\": 1,",
            "    \"chain\": [ ],",
            "    \"settings\": {",
            "      \"a\": \"1\",",
            "      \"b\": \"2\"",
            "    }",
            "  } ]",
            "}",
            ""),
        Files.readString(store.file()));
    assertEquals(new StoredCatalog(catalog, 2), store.read());
  }

  @Test
  void anUpdateWritesTheNextGenerationAndKeepsThePreviousAsTheBackup() throws Exception {
    CatalogChange first = store.update("install a", c -> withLayer("a", 1001));
    CatalogChange second =
        store.update("install b", c -> c.installLayer("b", LAYER, Map.of(), List.of(1002)));

    assertEquals(Optional.of(new StoredCatalog(Catalog.builtin(), 1)), first.before());
    assertEquals(new StoredCatalog(withLayer("a", 1001), 2), first.after());
    assertTrue(second.written());
    assertEquals(3, store.read().generation());
    assertEquals(
        List.of("a-tcp4", "tcp4", "b-tcp6", "tcp6"),
        store.read().catalog().entries().stream().map(CatalogEntry::name).limit(4).toList());
    assertEquals(Optional.of(new StoredCatalog(withLayer("a", 1001), 2)), store.readBackup());
  }

  @Test
  void anEditThatChangesNothingWritesNothing() throws Exception {
    store.read();
    byte[] before = Files.readAllBytes(store.file());

    CatalogChange change = store.update("nothing", c -> c);

    assertFalse(change.written());
    assertEquals(1, change.after().generation());
    assertArrayEquals(before, Files.readAllBytes(store.file()));
    assertFalse(Files.exists(store.backupFile()));
  }

  @Test
  void aRefusedEditWritesNothing() throws Exception {
    store.update("install a", c -> withLayer("a", 1001));
    byte[] file = Files.readAllBytes(store.file());
    byte[] backup = Files.readAllBytes(store.backupFile());

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> store.update("remove tcp4", c -> c.remove(1001, false)));

    assertEquals(
        "removing 1001 'tcp4': chain 3001 'a-tcp4' depends on it (remove it first, or cascade)",
        e.getMessage());
    assertArrayEquals(file, Files.readAllBytes(store.file()));
    assertArrayEquals(backup, Files.readAllBytes(store.backupFile()));
  }

  @Test
  void anEditThatWouldLeaveAnInvalidCatalogIsRefused() throws Exception {
    store.read();
    byte[] file = Files.readAllBytes(store.file());

    CatalogInvalidException e =
        assertThrows(
            CatalogInvalidException.class,
            () -> store.update("break it", c -> withLayer("a", 1001).without(2001)));

    assertEquals(
        "catalog invalid ("
            + store.file()
            + " after break it):\n\n"
            + "1) entry 3001 'a-tcp4' (chain [2001, 1001]) names entry 2001, which does not exist.\n\n1 problem",
        e.getMessage());
    assertArrayEquals(file, Files.readAllBytes(store.file()));
  }

  @Test
  void anEditMustNotWriteTheCatalogItself() throws Exception {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> store.update("outer", c -> store.update("inner", x -> x).after().catalog()));
    assertEquals(
        "this thread holds the catalog lock "
            + store.lockFile()
            + " already; a catalog edit must not write the catalog itself",
        e.getMessage());
  }

  @Test
  void leftoversOfInterruptedWritesAreDeletedByTheNextWrite() throws Exception {
    store.read();
    Path leftover = Files.writeString(dir.resolve("catalog.json.123.tmp"), "{\"half");
    Path backupLeftover = Files.writeString(dir.resolve("catalog.json.bak.456.tmp"), "");

    store.update("install a", c -> withLayer("a", 1001));

    assertFalse(Files.exists(leftover));
    assertFalse(Files.exists(backupLeftover));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("catalog.json", "catalog.json.bak", "catalog.lock"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  @Timeout(60)
  void readersNeverSeeAHalfWrittenCatalog() throws Exception {
    store.read();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> writer =
          pool.submit(
              () -> {
                for (int i = 0; i < 100; i++) {
                  store.update(
                      "flip",
                      c ->
                          c.entry("a").isPresent()
                              ? Catalog.builtin()
                              : withLayer("a", 1001, 1002, 1005));
                }
                return 100;
              });
      Future<Integer> reader =
          pool.submit(
              () -> {
                int reads = 0;
                while (!writer.isDone()) {
                  Catalog c = store.read().catalog();
                  assertTrue(
                      c.equals(Catalog.builtin()) || c.equals(withLayer("a", 1001, 1002, 1005)),
                      c.toString());
                  reads++;
                }
                return reads;
              });
      assertEquals(100, writer.get(50, TimeUnit.SECONDS));
      assertTrue(reader.get(10, TimeUnit.SECONDS) > 0);
      assertEquals(101, store.read().generation());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRunningRuntimeKeepsItsSnapshotAndALaterOneSeesTheEdit() throws Exception {
    dev.protochain.api.spi.ProviderDescriptor trace =
        dev.protochain.api.spi.ProviderDescriptor.of(dev.protochain.layers.trace.TraceLayer.class);
    try (ChainRuntime before =
        ChainRuntime.builder().catalog(store.read().catalog()).shutdownHook(false).build()) {
      store.update("install trace", c -> c.install(trace, Map.of(), List.of(1005)).catalog());

      try (ChainRuntime after =
              ChainRuntime.builder().catalog(store.read().catalog()).shutdownHook(false).build();
          Session old = before.startup(AddressFamily.MEMORY, SocketType.STREAM, Protocol.MEMORY);
          Session edited =
              after.startup(AddressFamily.MEMORY, SocketType.STREAM, Protocol.MEMORY)) {
        assertEquals(Catalog.builtin(), before.catalog());
        assertEquals("mem-stream", old.entry().name());
        assertEquals("trace-mem-stream", edited.entry().name());
      }
    }
  }

  /* ---- corrupt catalogs ---- */

  static Stream<Arguments> corruptCatalogs() {
    String valid =
        new String(
            dev.protochain.runtime.store.internal.CatalogJson.write(
                new StoredCatalog(withLayer("a", 1001), 2)),
            StandardCharsets.UTF_8);
    return Stream.of(
        Arguments.of(
            "truncated",
            valid.substring(0, 150),
            "the file ends in the middle of its JSON (line 7, column 53); it is truncated."),
        Arguments.of(
            "truncated between two fields",
            valid.substring(0, valid.indexOf("\"name\": \"tcp6\"")),
            "the file ends in the middle of its JSON (line 28, column 5); it is truncated."),
        Arguments.of("empty", "", "the file is empty."),
        Arguments.of(
            "not JSON",
            "schemaVersion = 1\n",
            "the file is not JSON: Unrecognized token 'schemaVersion': was expecting (JSON String, Number, Array,"
                + " Object or token 'null', 'true' or 'false') (line 1, column 1)."),
        Arguments.of(
            "unknown schema version",
            valid.replace("\"schemaVersion\": 1", "\"schemaVersion\": 7"),
            "the file has schema version 7; this release of protochain reads schema version 1 only."),
        Arguments.of(
            "an entry naming a missing id",
            valid.replace("[ 2001, 1001 ]", "[ 2009, 1001 ]"),
            "entry 3001 'a-tcp4' (chain [2009, 1001]) names entry 2009, which does not exist."),
        Arguments.of(
            "a wrong type",
            valid.replace("\"id\": 1002", "\"id\": \"1002\""),
            "entries[2].id: expected a whole number, found \"1002\"."),
        Arguments.of(
            "an unknown field",
            valid.replace("\"id\": 1002", "\"id\": 1002, \"colour\": \"red\""),
            "entries[2] has the unknown field 'colour' (expected: chain, family, flags, id, name, protocol,"
                + " providerId, settings, type, version)."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptCatalogs")
  void aCorruptCatalogFailsEveryReadAndWriteAndIsLeftAsItWas(
      String kind, String content, String problem) throws Exception {
    store.update("install a", c -> withLayer("a", 1001));
    byte[] backup = Files.readAllBytes(store.backupFile());
    Files.writeString(store.file(), content);
    String expected = "catalog invalid (" + store.file() + "):\n\n1) " + problem + "\n\n1 problem";

    CatalogInvalidException read = assertThrows(CatalogInvalidException.class, store::read);
    CatalogInvalidException update =
        assertThrows(
            CatalogInvalidException.class,
            () ->
                store.update(
                    "install b", c -> c.installLayer("b", LAYER, Map.of(), List.of(1002))));

    assertEquals(expected, read.getMessage());
    assertEquals(expected, update.getMessage());
    assertEquals(ProtochainException.Code.CATALOG_INVALID, read.code());
    assertEquals(content, Files.readString(store.file()));
    assertArrayEquals(backup, Files.readAllBytes(store.backupFile()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptCatalogs")
  void restoreReplacesACorruptCatalogByTheBackupAndKeepsTheCorruptBytes(
      String kind, String content, String problem) throws Exception {
    store.update("install a", c -> withLayer("a", 1001));
    Files.writeString(store.file(), content);

    CatalogChange change = store.restore();

    assertEquals(new StoredCatalog(Catalog.builtin(), 2), store.read());
    assertEquals(Optional.empty(), change.before());
    assertEquals(Optional.of(dir.resolve("catalog.json.unreadable")), change.unreadableCopy());
    assertEquals(content, Files.readString(dir.resolve("catalog.json.unreadable")));
    assertEquals(Optional.of(new StoredCatalog(Catalog.builtin(), 1)), store.readBackup());
  }

  @Test
  void resetReplacesACorruptCatalogByTheBuiltinOneAndLeavesTheBackup() throws Exception {
    store.update("install a", c -> withLayer("a", 1001));
    store.update("install b", c -> c.installLayer("b", LAYER, Map.of(), List.of(1002)));
    byte[] backup = Files.readAllBytes(store.backupFile());
    Files.writeString(store.file(), "{");

    CatalogChange change = store.reset();

    assertEquals(new StoredCatalog(Catalog.builtin(), 3), change.after());
    assertEquals(Catalog.builtin(), store.read().catalog());
    assertEquals("{", Files.readString(dir.resolve("catalog.json.unreadable")));
    assertArrayEquals(backup, Files.readAllBytes(store.backupFile()));
  }

  /* ---- reset and restore ---- */

  @Test
  void resetKeepsTheCatalogAsTheBackup() throws Exception {
    store.update("install a", c -> withLayer("a", 1001));

    CatalogChange change = store.reset();

    assertEquals(Optional.of(new StoredCatalog(withLayer("a", 1001), 2)), change.before());
    assertEquals(new StoredCatalog(Catalog.builtin(), 3), store.read());
    assertEquals(Optional.of(new StoredCatalog(withLayer("a", 1001), 2)), store.readBackup());
    assertEquals(Optional.empty(), change.unreadableCopy());
  }

  @Test
  void restoreSwapsTheCatalogAndTheBackupSoASecondRestoreUndoesIt() throws Exception {
    store.update("install a", c -> withLayer("a", 1001));

    store.restore();
    assertEquals(new StoredCatalog(Catalog.builtin(), 3), store.read());
    assertEquals(Optional.of(new StoredCatalog(withLayer("a", 1001), 2)), store.readBackup());

    store.restore();
    assertEquals(new StoredCatalog(withLayer("a", 1001), 4), store.read());
    assertEquals(Optional.of(new StoredCatalog(Catalog.builtin(), 3)), store.readBackup());
  }

  @Test
  void restoreWithoutABackupIsRefused() throws Exception {
    store.read();
    ProtochainException e = assertThrows(ProtochainException.class, store::restore);
    assertEquals(ProtochainException.Code.CATALOG_INVALID, e.code());
    assertEquals(
        "no backup to restore: "
            + store.backupFile()
            + " does not exist (the first change of the catalog makes one)",
        e.getMessage());
  }

  @Test
  void restoreFromACorruptBackupIsRefusedNamingTheBackup() throws Exception {
    store.update("install a", c -> withLayer("a", 1001));
    byte[] file = Files.readAllBytes(store.file());
    Files.writeString(store.backupFile(), "[]");

    CatalogInvalidException e = assertThrows(CatalogInvalidException.class, store::restore);

    assertEquals(
        "catalog invalid ("
            + store.backupFile()
            + "):\n\n1) the file holds a JSON array (expected: an object"
            + " with schemaVersion, generation and entries).\n\n1 problem",
        e.getMessage());
    assertArrayEquals(file, Files.readAllBytes(store.file()));
  }

  /* ---- the lock ---- */

  @Test
  @Timeout(30)
  void aSecondWriterInThisJvmWaitsThenFailsWithCatalogBusy() throws Exception {
    store.read();
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<CatalogChange> holder =
          pool.submit(
              () ->
                  store.update(
                      "hold the lock",
                      c -> {
                        holding.countDown();
                        try {
                          release.await();
                        } catch (InterruptedException e) {
                          throw new java.io.InterruptedIOException();
                        }
                        return withLayer("a", 1001);
                      }));
      assertTrue(holding.await(10, TimeUnit.SECONDS));
      List<String> notes = new ArrayList<>();
      CatalogStore impatient =
          CatalogStore.builder(ProtochainHome.of(dir))
              .lockWait(Duration.ofMillis(200))
              .onNote(notes::add)
              .build();

      ProtochainException e =
          assertThrows(
              ProtochainException.class,
              () -> impatient.update("install b", c -> withLayer("b", 1002)));

      String holderNote = Files.readString(store.lockFile()).strip();
      assertTrue(
          holderNote.matches(
              "pid "
                  + ProcessHandle.current().pid()
                  + " \\(hold the lock, since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)"),
          holderNote);
      assertEquals(ProtochainException.Code.CATALOG_BUSY, e.code());
      assertEquals(
          "catalog busy: "
              + store.lockFile()
              + " is held by "
              + holderNote
              + "; gave up after waiting 200ms",
          e.getMessage());
      assertEquals(
          List.of("waiting for the catalog lock " + store.lockFile() + ", held by " + holderNote),
          notes);
      release.countDown();
      assertEquals(2, holder.get(10, TimeUnit.SECONDS).after().generation());
      assertEquals("", Files.readString(store.lockFile()));
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(60)
  void aWriterInAnotherProcessHoldsTheLockUntilItIsDone() throws Exception {
    store.read();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                LockHolderMain.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("holding", out.readLine());
      CatalogStore impatient =
          CatalogStore.builder(ProtochainHome.of(dir)).lockWait(Duration.ofMillis(300)).build();

      ProtochainException busy =
          assertThrows(
              ProtochainException.class,
              () -> impatient.update("install b", c -> withLayer("b", 1002)));
      assertTrue(
          busy.getMessage()
              .matches(
                  "catalog busy: \\Q"
                      + store.lockFile()
                      + "\\E is held by pid "
                      + child.pid()
                      + " \\(hold the lock for a test, since [0-9T:-]+Z\\); gave up after waiting 300ms"),
          busy.getMessage());

      AtomicInteger waits = new AtomicInteger();
      CatalogStore patient =
          CatalogStore.builder(ProtochainHome.of(dir))
              .lockWait(Duration.ofSeconds(30))
              .onNote(note -> waits.incrementAndGet())
              .build();
      AtomicReference<CatalogChange> done = new AtomicReference<>();
      Thread writer =
          new Thread(
              () -> {
                try {
                  done.set(patient.update("install b", c -> withLayer("b", 1002)));
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              });
      writer.start();
      while (waits.get() == 0) {
        Thread.sleep(5);
      }
      child.getOutputStream().close(); // the holder's input ends: it releases the lock
      writer.join(30_000);
      assertEquals(new StoredCatalog(withLayer("b", 1002), 2), done.get().after());
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, child.exitValue());
    } finally {
      child.destroyForcibly();
    }
  }
}
