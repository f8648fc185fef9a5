package dev.protochain.cli;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.SocketType;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.Selection;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code protochain catalog explain FAMILY TYPE PROTOCOL}: which entry a request selects, and why.
 */
final class CatalogExplainCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "explain",
          "Tell which entry an application asking for FAMILY TYPE PROTOCOL gets (the first base or chain"
              + " serving them, in catalog order), and why each other entry was passed over.",
          "Exit 1 when no entry serves the request.");

  private final PositionalParamSpec family =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter("FAMILY", "inet, inet6 or memory.")
              .index("0")
              .type(AddressFamily.class)
              .converters(new FamilyConverter()));

  private final PositionalParamSpec type =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter("TYPE", "stream or datagram.")
              .index("1")
              .type(SocketType.class)
              .converters(new TypeConverter()));

  private final PositionalParamSpec protocol =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter("PROTOCOL", "tcp, udp or memory.")
              .index("2")
              .type(Protocol.class)
              .converters(new ProtocolConverter()));

  private final OptionSpec safeMode =
      CommandSpecs.add(
          spec,
          CommandSpecs.flag(
              "--safe-mode", "Explain the choice of safe mode, which selects base entries only."));

  CatalogExplainCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws Exception {
    Catalog c = main.store(spec).read().catalog();
    boolean safeMode = CommandSpecs.given(this.safeMode);
    Selection selection =
        c.explain(family.getValue(), type.getValue(), protocol.getValue(), safeMode);
    PrintWriter out = spec.commandLine().getOut();
    String request = selection.request() + (safeMode ? " in safe mode" : "");
    if (selection.entry().isPresent()) {
      CatalogEntry chosen = selection.entry().get();
      out.println(
          request
              + " selects "
              + Catalog.label(chosen)
              + " ("
              + CatalogTable.describe(chosen, c)
              + ")");
    } else {
      out.println(request + " selects no entry");
    }
    if (!selection.passedOver().isEmpty()) {
      out.println("passed over:");
      int width =
          selection.passedOver().stream()
              .mapToInt(p -> Catalog.label(p.entry()).length())
              .max()
              .orElse(0);
      for (Selection.PassedOver p : selection.passedOver()) {
        String label = Catalog.label(p.entry());
        out.println("  " + label + " ".repeat(width - label.length()) + "  " + p.reason());
      }
    }
    out.flush();
    if (selection.entry().isEmpty()) {
      throw new ProtochainException(
          ProtochainException.Code.NO_MATCHING_ENTRY, "no catalog entry serves " + request);
    }
    return Main.OK;
  }

  static final class FamilyConverter implements CommandLine.ITypeConverter<AddressFamily> {
    @Override
    public AddressFamily convert(String text) {
      try {
        return AddressFamily.parse(text);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class TypeConverter implements CommandLine.ITypeConverter<SocketType> {
    @Override
    public SocketType convert(String text) {
      try {
        return SocketType.parse(text);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class ProtocolConverter implements CommandLine.ITypeConverter<Protocol> {
    @Override
    public Protocol convert(String text) {
      try {
        return Protocol.parse(text);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
