package dev.protochain.samples.modules;

import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.PluginStore;
import dev.protochain.runtime.UnloadCheck;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Installs a plugin jar into a plugin store and echoes bytes over the plugin's layer over {@code
 * tcp4}: {@code PluginEcho PLUGIN.jar STORE-DIR}. The plugin loads in a class loader of its own, on
 * the module path as on the class path. It prints what the plugin's socket says of itself, the
 * echo, and the {@link UnloadCheck} report; it exits 0 when the echo came back intact and the
 * plugin unloaded.
 */
public final class PluginEcho {

  private PluginEcho() {}

  /** Runs the example. */
  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    PluginStore store = new PluginStore(Path.of(args[1]));
    PluginRecord record = store.add(jar);
    ProviderDescriptor d = PluginStore.inspect(jar);
    Catalog catalog =
        store
            .record(Catalog.builtin(), record)
            .installLayer(
                d.name(),
                d.id(),
                Map.of(),
                List.of(Catalog.builtin().entry("tcp4").orElseThrow().id()))
            .checkValid("plugin echo");
    UnloadCheck check = new UnloadCheck();
    boolean intact;
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .catalog(catalog)
            .source(check.track(store.source(catalog.plugins())))
            .shutdownHook(false)
            .build()) {
      intact = ModularEcho.echo(runtime, d.name() + "-tcp4", 65536);
    }
    UnloadCheck.Report report = check.verify(50);
    System.out.println(report);
    System.exit(intact && report.clean() ? 0 : 1);
  }
}
