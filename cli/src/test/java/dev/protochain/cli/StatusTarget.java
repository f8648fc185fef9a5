package dev.protochain.cli;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.ChainRuntimeMXBean;
import dev.protochain.runtime.LauncherDefaults;
import dev.protochain.runtime.store.CatalogStore;
import dev.protochain.runtime.store.ProtochainHome;
import java.nio.file.Path;

/**
 * The JVM {@code protochain status} is pointed at in {@link StatusCommandTest}: {@code runtime
 * HOME} runs a runtime following HOME's catalog, with a session on {@code coalesce-tcp4} holding a
 * socket and a session on {@code tcp4}; {@code plain} runs no protochain at all. Prints {@code pid
 * N} once its runtime's JMX view is registered, then waits until its standard input ends.
 */
final class StatusTarget {

  private StatusTarget() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("runtime")) {
      LauncherDefaults.apply();
      ChainRuntime runtime =
          ChainRuntime.builder()
              .name("status-target")
              .store(CatalogStore.open(ProtochainHome.of(Path.of(args[1]))))
              .followCatalog(true)
              .build();
      Session chain = runtime.startup("coalesce-tcp4");
      ChainSocket socket = chain.open();
      Session base = runtime.startup("tcp4");
      // The view registers soon after the build, on a pool thread; the marker follows it.
      while (System.getProperty(ChainRuntimeMXBean.JVM_MARKER) == null) {
        Thread.sleep(5);
      }
      ready();
      socket.close();
      chain.close();
      base.close();
      runtime.close();
    } else {
      ready();
    }
  }

  private static void ready() throws Exception {
    System.out.println("pid " + ProcessHandle.current().pid());
    System.out.flush();
    System.in.readAllBytes(); // until the test closes it, or ends
  }
}
