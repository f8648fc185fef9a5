package dev.protochain.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentArgsTest {

  @Test
  void noArgumentsMeanTheDefaults() {
    AgentArgs a = AgentArgs.parse("");
    assertEquals(Optional.empty(), a.home());
    assertEquals(Optional.empty(), a.entry());
    assertEquals(List.of(), a.only());
    assertEquals(List.of(), a.except());
    assertFalse(a.safeMode());
    assertFalse(a.noFollow());
    assertFalse(a.platformThreads());
    assertFalse(a.verbose());
    assertEquals(Optional.empty(), a.report());
  }

  @Test
  void everyArgumentIsRead() {
    AgentArgs a =
        AgentArgs.parse(
            "home=/tmp/h, entry=metrics-tcp4,only=10.0.0.0/8;[::1]:443,except=*:5432,"
                + "safe-mode,no-follow,platform-threads,verbose,report=/tmp/r.json");
    assertEquals(Optional.of(Path.of("/tmp/h")), a.home());
    assertEquals(Optional.of("metrics-tcp4"), a.entry());
    assertEquals("[10.0.0.0/8, [::1]:443]", a.only().toString());
    assertEquals("[*:5432]", a.except().toString());
    assertTrue(a.safeMode());
    assertTrue(a.noFollow());
    assertTrue(a.platformThreads());
    assertTrue(a.verbose());
    assertEquals(Optional.of(Path.of("/tmp/r.json")), a.report());
    assertTrue(a.except().get(0).matches(new InetSocketAddress("127.0.0.1", 5432)));
  }

  @Test
  void unknownArgumentNamesItAndTheKnownOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> AgentArgs.parse("homme=/tmp"));
    assertEquals(
        "unknown argument 'homme=/tmp' (fix: use home=DIR, entry=ID|NAME, only=RULE;RULE,"
            + " except=RULE;RULE, safe-mode, no-follow, platform-threads, verbose, report=FILE,"
            + " separated by commas)",
        e.getMessage());
  }

  @Test
  void badRuleNamesTheArgumentTheRuleAndTheGrammar() {
    var e = assertThrows(IllegalArgumentException.class, () -> AgentArgs.parse("only=10.0.0.0/33"));
    assertEquals(
        "argument 'only': rule '10.0.0.0/33' has prefix 33 (expected: 0 to 32) (fix: rules are"
            + " those of the filter layer, separated by ';', e.g. only=10.0.0.0/8;[::1]:443;*:5432)",
        e.getMessage());
  }

  @Test
  void emptyRuleIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> AgentArgs.parse("except=*:22;"));
    assertTrue(e.getMessage().startsWith("argument 'except' has an empty rule"), e.getMessage());
  }

  @Test
  void valueMissingOrFlagWithValueOrTwiceIsRefused() {
    assertEquals(
        "argument 'home' needs a value (fix: home=DIR)",
        assertThrows(IllegalArgumentException.class, () -> AgentArgs.parse("home=")).getMessage());
    assertEquals(
        "argument 'verbose' takes no value (fix: write 'verbose' alone)",
        assertThrows(IllegalArgumentException.class, () -> AgentArgs.parse("verbose=yes"))
            .getMessage());
    assertEquals(
        "argument 'entry' is given twice (fix: give it once)",
        assertThrows(IllegalArgumentException.class, () -> AgentArgs.parse("entry=1,entry=2"))
            .getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> AgentArgs.parse("verbose,,safe-mode"))
            .getMessage()
            .contains("has an empty argument"));
  }
}
