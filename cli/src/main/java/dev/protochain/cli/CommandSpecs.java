package dev.protochain.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;
import picocli.CommandLine.TypeConversionException;

/**
 * How the commands declare their picocli model: in code, with picocli's programmatic API, not with
 * its annotations. picocli reads annotations by reflection on every run (annotation proxies, the
 * annotation parser, the fields' generic types), which cost a start-up about as much again as the
 * rest of picocli; a model built in code costs only its objects. Each command keeps the {@link
 * OptionSpec} and {@link PositionalParamSpec} it adds and reads their values after the parse.
 */
final class CommandSpecs {

  private CommandSpecs() {}

  /**
   * Returns the model of the command {@code name} that {@code command} (a {@link Runnable} or
   * {@link java.util.concurrent.Callable}) runs, with {@code description}'s paragraphs and the
   * standard {@code -h, --help} and {@code -V, --version} (picocli's {@code
   * mixinStandardHelpOptions}, which would read its own annotations).
   */
  static CommandSpec command(Object command, String name, String... description) {
    CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name);
    spec.usageMessage().description(description);
    add(spec, usageHelp("Show this help message and exit."));
    add(
        spec,
        OptionSpec.builder("-V", "--version")
            .versionHelp(true)
            .type(boolean.class)
            .initialValue(false)
            .description("Print version information and exit."));
    return spec;
  }

  /** Returns the option {@code -h, --help}, which shows the usage help. */
  static OptionSpec.Builder usageHelp(String description) {
    return OptionSpec.builder("-h", "--help")
        .usageHelp(true)
        .type(boolean.class)
        .initialValue(false)
        .description(description);
  }

  /** Returns an option {@code name=LABEL} taking a string; {@code type} and the rest may follow. */
  static OptionSpec.Builder option(String name, String label, String... description) {
    return OptionSpec.builder(name).paramLabel(label).type(String.class).description(description);
  }

  /**
   * Returns an option {@code name=LABEL} taking a path. It has its own converter: picocli's finds
   * {@code Paths.get} by reflection in every {@code CommandLine}, which {@link Main} turns off with
   * the others it looks up so.
   */
  static OptionSpec.Builder pathOption(String name, String label, String... description) {
    return option(name, label, description).type(Path.class).converters(new PathConverter());
  }

  /** Returns an option {@code name} without a value: false unless given (see {@link #given}). */
  static OptionSpec.Builder flag(String name, String... description) {
    return OptionSpec.builder(name)
        .type(boolean.class)
        .initialValue(false)
        .description(description);
  }

  /** Returns a positional parameter {@code LABEL} taking a string; the rest may follow. */
  static PositionalParamSpec.Builder parameter(String label, String... description) {
    return PositionalParamSpec.builder()
        .paramLabel(label)
        .type(String.class)
        .description(description);
  }

  /** Adds {@code option} to {@code spec} and returns it, to read its value after the parse. */
  static OptionSpec add(CommandSpec spec, OptionSpec.Builder option) {
    OptionSpec built = option.build();
    spec.addOption(built);
    return built;
  }

  /**
   * Adds {@code parameter} to {@code spec} and returns it, to read its value after the parse; it is
   * required unless its arity allows none, as picocli makes an annotated one.
   */
  static PositionalParamSpec add(CommandSpec spec, PositionalParamSpec.Builder parameter) {
    Range arity = parameter.arity();
    PositionalParamSpec built = parameter.required(arity == null || arity.min() > 0).build();
    spec.addPositional(built);
    return built;
  }

  /** Takes a path as picocli's own converter did, with its words for one it cannot make. */
  static final class PathConverter implements ITypeConverter<Path> {
    @Override
    public Path convert(String text) {
      try {
        return Path.of(text);
      } catch (InvalidPathException e) {
        throw new TypeConversionException(
            "cannot convert '" + text + "' to " + Path.class + " (" + e + ")");
      }
    }
  }

  /** Returns whether the flag {@code flag} was given. */
  static boolean given(OptionSpec flag) {
    return Boolean.TRUE.equals(flag.getValue());
  }
}
