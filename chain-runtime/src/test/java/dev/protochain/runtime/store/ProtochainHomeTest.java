package dev.protochain.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProtochainHomeTest {

  private static final Path USER_HOME = Path.of("/home/someone");

  @Test
  void anExplicitDirectoryWinsOverTheEnvironment() {
    ProtochainHome home =
        ProtochainHome.resolve(
            Optional.of(Path.of("/srv/pc")), Map.of("PROTOCHAIN_HOME", "/from/env"), USER_HOME);
    assertEquals(Path.of("/srv/pc"), home.directory());
  }

  @Test
  void theEnvironmentWinsOverTheDefault() {
    ProtochainHome home =
        ProtochainHome.resolve(Optional.empty(), Map.of("PROTOCHAIN_HOME", "/from/env"), USER_HOME);
    assertEquals(Path.of("/from/env"), home.directory());
  }

  @Test
  void aBlankEnvironmentVariableIsIgnored() {
    ProtochainHome home =
        ProtochainHome.resolve(Optional.empty(), Map.of("PROTOCHAIN_HOME", " "), USER_HOME);
    assertEquals(Path.of("/home/someone/.protochain"), home.directory());
  }

  @Test
  void theDefaultIsDotProtochainInTheUsersHome() {
    assertEquals(
        Path.of("/home/someone/.protochain"),
        ProtochainHome.resolve(Optional.empty(), Map.of(), USER_HOME).directory());
  }

  @Test
  void relativeDirectoriesAreMadeAbsolute() {
    ProtochainHome home = ProtochainHome.of(Path.of("rel/../x"));
    assertEquals(Path.of("x").toAbsolutePath(), home.directory());
    assertEquals(home, ProtochainHome.of(Path.of("x")));
  }
}
