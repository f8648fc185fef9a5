package dev.protochain.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The {@code --check-timeout} option of the commands that start chains to check them. */
final class CheckTimeout {

  @Option(
      names = "--check-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = Main.DurationConverter.class,
      description =
          "How long the chains that run plugin code may take to start and clean up once, in a"
              + " separate JVM and outside the catalog lock, before the plugin is refused as hung"
              + " (default: ${DEFAULT-VALUE}).")
  Duration duration;
}
