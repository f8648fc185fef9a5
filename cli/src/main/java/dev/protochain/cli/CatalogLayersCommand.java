package dev.protochain.cli;

import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.ProviderSource;
import dev.protochain.runtime.store.LayerInstaller;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code protochain catalog layers [NAME]}: the layers that can be installed, each with the
 * settings its descriptor declares, their defaults and meaning.
 */
final class CatalogLayersCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "layers",
          "List the layers that can be installed (on the class path and among the installed plugins), each"
              + " with its settings: name, meaning and default, as the layer's descriptor declares them.");

  private final PositionalParamSpec name =
      CommandSpecs.add(spec, CommandSpecs.parameter("NAME", "Only this layer.").arity("0..1"));

  CatalogLayersCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws Exception {
    ProviderSource providers = main.providers(main.store(spec).read().catalog());
    PrintWriter out = spec.commandLine().getOut();
    String name = this.name.getValue();
    if (name != null) {
      out.print(describe(LayerInstaller.layerNamed(name, providers)));
    } else {
      List<ProviderDescriptor> layers =
          providers.descriptors().stream()
              .filter(d -> d.kind() == EntryKind.LAYER)
              .sorted(Comparator.comparing(ProviderDescriptor::name))
              .toList();
      for (int i = 0; i < layers.size(); i++) {
        out.print((i == 0 ? "" : "\n") + describe(layers.get(i)));
      }
    }
    out.flush();
    return Main.OK;
  }

  /**
   * Returns the layer's line, {@code coalesce 1.0.0 (provider ID): DESCRIPTION}, then one line per
   * setting: its name, its meaning and its default.
   */
  static String describe(ProviderDescriptor d) {
    StringBuilder sb =
        new StringBuilder(d.name())
            .append(' ')
            .append(d.version())
            .append(" (provider ")
            .append(d.id())
            .append(")")
            .append(d.description().isEmpty() ? "" : ": " + d.description())
            .append('\n');
    if (d.settings().isEmpty()) {
      return sb.append("  no settings\n").toString();
    }
    int width = d.settings().stream().mapToInt(s -> s.name().length()).max().orElse(0);
    for (ProviderDescriptor.Setting s : d.settings()) {
      sb.append("  ")
          .append(s.name())
          .append(" ".repeat(width - s.name().length()))
          .append("  ")
          .append(s.description().isEmpty() ? "(no description)" : s.description())
          .append(s.defaultValue().isEmpty() ? "" : " (default: " + s.defaultValue() + ")")
          .append(s.secret() ? " (secret: masked; give @file:PATH or @env:NAME)" : "")
          .append('\n');
    }
    return sb.toString();
  }
}
