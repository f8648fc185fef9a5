package dev.protochain.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.runtime.LauncherDefaults;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JMH forks start with the launchers' defaults and, on a JDK that knows it, the option that
 * lets JMH use {@code sun.misc.Unsafe}, so JDK 25 prints no warning in them.
 */
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

  @Test
  void theForksGetEveryOptionAndOnlyAJdkThatKnowsItTheUnsafeOne() {
    assertArrayEquals(new String[0], Report.jmhUnsafeOptions(17));
    assertArrayEquals(
        new String[] {"--sun-misc-unsafe-memory-access=allow"}, Report.jmhUnsafeOptions(25));
    System.setProperty("protochain.plugin", "plugin.jar");
    try {
      Collection<String> args = Report.jmhOptions(true).build().getJvmArgsAppend().get();
      List<String> all = new java.util.ArrayList<>(List.of("-Xmx1g"));
      all.addAll(List.of(LauncherDefaults.jvmOptions()));
      all.addAll(List.of(Report.jmhUnsafeOptions(Runtime.version().feature())));
      all.add("-Dprotochain.plugin=plugin.jar");
      assertEquals(all, List.copyOf(args));
    } finally {
      System.clearProperty("protochain.plugin");
    }
  }
}
