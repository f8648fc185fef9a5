package dev.protochain.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.runtime.LauncherDefaults;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JMH forks start with the launchers' defaults, so JDK 25 prints no Guice warning in them. */
class ReportOptionsTest {

  @Test
  void jmhForksGetTheLauncherDefaults() {
    for (boolean quick : new boolean[] {false, true}) {
      Collection<String> args = Report.jmhOptions(quick).build().getJvmArgsAppend().get();
      assertTrue(
          args.containsAll(List.of(LauncherDefaults.jvmOptions())),
          "JMH fork options " + args + " lack " + List.of(LauncherDefaults.jvmOptions()));
    }
  }
}
