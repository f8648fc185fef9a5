package dev.protochain.cli;

import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The {@code --check-timeout} option of the commands that start chains to check them. */
final class CheckTimeout {

  private final OptionSpec option;

  /** Adds {@code --check-timeout} to {@code spec}. */
  CheckTimeout(CommandSpec spec) {
    option =
        CommandSpecs.add(
            spec,
            CommandSpecs.option(
                    "--check-timeout",
                    "DURATION",
                    "How long the chains that run plugin code may take to start and clean up once, in a"
                        + " separate JVM and outside the catalog lock, before the plugin is refused as hung"
                        + " (default: ${DEFAULT-VALUE}).")
                .type(Duration.class)
                .converters(new Main.DurationConverter())
                .defaultValue("30s"));
  }

  /** Returns the duration given, or the default. */
  Duration duration() {
    return option.getValue();
  }
}
