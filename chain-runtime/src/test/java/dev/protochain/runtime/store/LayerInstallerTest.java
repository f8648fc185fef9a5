package dev.protochain.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogProblem;
import dev.protochain.runtime.Installation;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.PluginStore;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.StartupCheck;
import dev.protochain.runtime.testing.PluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Installing a layer into a home, and the startup check it shares with a catalog verify. */
@Timeout(120)
class LayerInstallerTest {

  static final Duration CHECK = Duration.ofSeconds(60);

  @TempDir Path dir;

  ProtochainHome home;
  CatalogStore store;
  LayerInstaller installer;

  @BeforeEach
  void openHome() {
    home = ProtochainHome.of(dir.resolve("home"));
    store = CatalogStore.open(home);
    installer = new LayerInstaller(store, home.plugins(), CHECK);
  }

  static ProviderDescriptor stock(String name) {
    return LayerInstaller.layerNamed(
        name, ProviderSource.classpath(LayerInstallerTest.class.getClassLoader()));
  }

  /** A plugin layer whose load always fails. */
  Path failingPlugin() throws Exception {
    String body =
        "@Override protected void onLoad(ProviderContext c) {"
            + " throw new IllegalStateException(\"refused by the test\"); }";
    return new PluginJars()
        .source("test.boom.BoomLayer", PluginJars.layer("test.boom", "boom", "", body))
        .provider("test.boom.BoomLayer")
        .build(Files.createDirectories(dir.resolve("build")).resolve("boom.jar"));
  }

  @Test
  void aClassPathLayerIsInstalledAndTheResultSaysWhatWasAdded() throws Exception {
    LayerInstaller.Installed done =
        installer.installLayer(
            "trace", Map.of(), LayerInstaller.Targets.over(c -> List.of(1001, 1005)));

    Installation installed = done.installation();
    assertEquals("trace", done.layer().name());
    assertEquals(java.util.Optional.empty(), done.plugin());
    assertEquals("trace", installed.layer().name());
    assertEquals(
        List.of("trace-tcp4 over tcp4", "trace-mem-stream over mem-stream"),
        installed.chains().stream()
            .map(c -> c.chain().name() + " over " + c.target().name())
            .toList());
    assertEquals(List.of(), installed.passedOver());
    assertTrue(done.change().written(), done.change().toString());
    assertEquals(installed.catalog(), store.read().catalog());
  }

  @Test
  void everywherePassesOverWhatTheLayerCannotGoOver() throws Exception {
    LayerInstaller.Installed done =
        installer.installLayer("trace", Map.of(), LayerInstaller.Targets.everywhere());

    Installation installed = done.installation();
    assertEquals(
        Catalog.builtin().entries().size(),
        installed.chains().size() + installed.passedOver().size());
    assertEquals(installed.catalog(), store.read().catalog());
  }

  @Test
  void aNewChainThatDoesNotStartIsRefusedAndNothingIsWritten() throws Exception {
    StoredCatalog before = store.read();

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                installer.installLayer(
                    "coalesce",
                    Map.of("delay", "abc"),
                    LayerInstaller.Targets.over(c -> List.of(1001))));

    assertEquals(
        "installing layer 'coalesce': entry 3001 'coalesce-tcp4' (chain [2001, 1001]) does not"
            + " start: provider 'coalesce' (entry 2001) failed to load:"
            + " java.lang.IllegalArgumentException: setting 'delay' of entry 2001 'coalesce'"
            + " (layer) = 'abc' is not a duration (expected: a whole number and a unit: 250ms, 30s,"
            + " 2m or 1h; or 0); nothing was installed",
        e.getMessage());
    assertEquals(before, store.read());
  }

  @Test
  void aRefusedPluginLeavesNeitherEntriesNorItsJar() throws Exception {
    StoredCatalog before = store.read();

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                installer.installPlugin(
                    failingPlugin(), Map.of(), LayerInstaller.Targets.over(c -> List.of(1005))));

    assertTrue(
        e.getMessage()
            .startsWith(
                "installing layer 'boom': entry 3001 'boom-mem-stream' (chain [2001, 1005]) does"
                    + " not start: provider 'boom' (entry 2001) failed to load from plugin jar "),
        e.getMessage());
    assertTrue(
        e.getMessage().endsWith("refused by the test; nothing was installed"), e.getMessage());
    assertEquals(before, store.read());
    try (Stream<Path> jars = Files.list(home.plugins().directory())) {
      assertEquals(List.of(), jars.toList());
    }
  }

  @Test
  void theStartupCheckListsEveryEntryThatDoesNotStartInCatalogOrder() throws Exception {
    PluginStore plugins = home.plugins();
    PluginRecord boom = plugins.add(failingPlugin());
    ProviderDescriptor boomLayer = PluginStore.inspect(plugins.jar(boom));
    Catalog catalog =
        plugins
            .record(Catalog.builtin(), boom)
            .install(boomLayer, Map.of(), List.of(1001, 1005))
            .catalog()
            .install(stock("coalesce"), Map.of("delay", "abc"), List.of(1002))
            .catalog();
    List<CatalogEntry> selectable =
        catalog.entries().stream().filter(CatalogEntry::isSelectable).toList();

    List<CatalogProblem> problems = StartupCheck.of(plugins, CHECK).problems(catalog, selectable);

    // Both plugin chains fail in the one separate JVM, the class-path one in this process.
    assertEquals(
        selectable.stream()
            .filter(e -> e.name().startsWith("boom-") || e.name().startsWith("coalesce-"))
            .map(CatalogEntry::id)
            .toList(),
        problems.stream().map(p -> p.entryIds().get(0)).toList());
    for (CatalogProblem p : problems) {
      assertEquals(CatalogProblem.Kind.DOES_NOT_START, p.kind(), p.message());
      assertTrue(p.message().contains(") does not start: provider '"), p.message());
    }
  }
}
