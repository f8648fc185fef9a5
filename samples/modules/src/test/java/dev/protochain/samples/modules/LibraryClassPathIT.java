package dev.protochain.samples.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime used as a library, as a user's build gets it: this module names only {@code
 * protochain-chain-runtime} and {@code protochain-layers} and brings no logging backend. The first
 * connection works on a plain class path, and nothing is written to standard error (no "No SLF4J
 * providers were found").
 */
@Timeout(120)
class LibraryClassPathIT {

  @TempDir Path dir;

  @Test
  void theBaseTransportsComeWithTheRuntimeAndNoLoggingBackendDoes() throws Exception {
    List<String> jars = Jvm.libJars();

    assertTrue(
        jars.contains("protochain-base-provider-0.1.0-SNAPSHOT.jar"),
        "chain-runtime brings the base transports: " + jars);
    assertEquals(
        List.of("slf4j-api-2.0.17.jar"),
        jars.stream().filter(j -> j.startsWith("slf4j") || j.startsWith("logback")).toList());
  }

  @Test
  void withoutTheBaseTransportsTheErrorNamesTheirArtifact() throws Exception {
    String path =
        Stream.of(Jvm.path().split(File.pathSeparator))
            .filter(jar -> !jar.contains("protochain-base-provider"))
            .collect(Collectors.joining(File.pathSeparator));

    Jvm.Result r =
        Jvm.java(dir, "-cp", path, "dev.protochain.samples.modules.ModularEcho", "", "1");

    assertEquals(1, r.err().lines().filter(l -> l.startsWith("Exception")).count(), r.err());
    assertTrue(
        r.err()
            .startsWith(
                "Exception in thread \"main\" dev.protochain.api.ProtochainException: no catalog"
                    + " entry is named 'tcp4'; no base provider is in class path: the built-in bases"
                    + " come from the artifact protochain-base-provider, which must be on the class"
                    + " path\n"),
        r.err());
    assertEquals(1, r.code());
  }

  @Test
  void theFirstConnectionWorksAndStandardErrorStaysEmpty() throws Exception {
    List<String> args = new ArrayList<>();
    if (Runtime.version().feature() >= 24) {
      // Guice 7's own warning about sun.misc.Unsafe on JDK 24 and later, which the application
      // silences as the launchers do (LauncherDefaults); the runtime leaves the application's
      // Guice as it is.
      args.add("-Dguice_bytecode_gen_option=DISABLED");
    }
    args.addAll(
        List.of(
            "-cp",
            Jvm.path(),
            "dev.protochain.samples.modules.ModularEcho",
            "deflate,coalesce",
            "65536"));
    Jvm.Result r = Jvm.java(dir, args.toArray(String[]::new));

    assertEquals(
        "echoed 65536 bytes over deflate-coalesce-tcp4: verified (runtime in the unnamed"
            + " module)\n",
        r.out(),
        r.err());
    assertEquals("", r.err());
    assertEquals(0, r.code());
  }
}
