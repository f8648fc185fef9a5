package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JDKs a test runs child JVMs on: this one, and JDK 25 from {@code JAVA25_HOME}. */
final class Jdks {

  private Jdks() {}

  /**
   * Returns the {@code java} of {@code JAVA25_HOME}. When it is not set the test fails under {@code
   * CI=true} (CI runs every test on 25) and is skipped elsewhere.
   */
  static Path java25() throws IOException {
    String home = System.getenv("JAVA25_HOME");
    if (home == null || home.isBlank()) {
      if ("true".equals(System.getenv("CI"))) {
        fail("JAVA25_HOME is not set; CI runs this test on JDK 25 (.ci/run finds it)");
      }
      // Skipped, not failed, on a developer's machine without a JDK 25: the JDK 17 half of the
      // test still runs, and CI (above) never skips it.
      assumeTrue(
          false, "skipped outside CI: JAVA25_HOME is not set, so there is no JDK 25 to run on");
    }
    Path java = Path.of(home, "bin", "java");
    if (!Files.isExecutable(java)) {
      fail("JAVA25_HOME=" + home + " holds no bin/java");
    }
    return java;
  }
}
