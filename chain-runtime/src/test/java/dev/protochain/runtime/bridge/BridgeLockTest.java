package dev.protochain.runtime.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LifecycleEvent;
import java.io.Closeable;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bridge holds no monitor across a startup (which may load a plugin) or I/O: a virtual thread
 * blocking under {@code synchronized} pins its carrier on JDK 21 to 23, so the bridge's locks are
 * {@code ReentrantLock}s (issue 13). A lifecycle listener stops a startup halfway, and the test
 * reads what the opening thread holds at that moment.
 */
@Timeout(60)
class BridgeLockTest {

  final CountDownLatch inStartup = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  final ExecutorService pool = Executors.newCachedThreadPool();
  volatile Thread starting;
  ChainRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    runtime =
        ChainRuntime.builder()
            .shutdownHook(false)
            .listener(
                e -> {
                  if (e.type() == LifecycleEvent.Type.STARTUP && inStartup.getCount() > 0) {
                    starting = Thread.currentThread();
                    inStartup.countDown();
                    try {
                      release.await();
                    } catch (InterruptedException interrupted) {
                      Thread.currentThread().interrupt();
                    }
                  }
                })
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    pool.shutdownNow();
    runtime.close();
  }

  @Test
  void aSocketOpeningItsChainHoldsNoMonitor() throws Exception {
    try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Socket socket = ChainSocketFactory.forEntry(runtime, "tcp4").createSocket()) {
      assertEquals(
          List.of(),
          monitorsHeldInStartupOf(
              () ->
                  socket.connect(
                      new InetSocketAddress(
                          InetAddress.getLoopbackAddress(), peer.getLocalPort()))));
      assertTrue(socket.isConnected());
    }
  }

  @Test
  void aServerSocketBindingHoldsNoMonitor() throws Exception {
    ServerSocket server = ChainServerSocketFactory.forEntry(runtime, "tcp4").createServerSocket();
    try (Closeable closing = server) {
      assertEquals(
          List.of(),
          monitorsHeldInStartupOf(
              () -> server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))));
      assertTrue(server.isBound());
    }
  }

  /** Something that opens a bridge socket. */
  interface Opening {
    void run() throws Exception;
  }

  /**
   * Runs {@code opening} on another thread, names the monitors that thread holds while its startup
   * is stopped in the listener, then lets it finish.
   */
  List<String> monitorsHeldInStartupOf(Opening opening) throws Exception {
    Future<?> done =
        pool.submit(
            () -> {
              opening.run();
              return null;
            });
    List<String> held = monitorsHeldInStartup();
    release.countDown(); // before any assertion: a close waits for the lock the startup holds
    done.get(30, TimeUnit.SECONDS);
    return held;
  }

  /** Waits for a startup to stop in the listener, then names the monitors its thread holds. */
  List<String> monitorsHeldInStartup() throws InterruptedException {
    assertTrue(inStartup.await(30, TimeUnit.SECONDS), "no startup began");
    ThreadInfo info =
        ManagementFactory.getThreadMXBean()
            .getThreadInfo(new long[] {starting.getId()}, true, true)[0];
    List<String> monitors = new ArrayList<>();
    for (MonitorInfo m : info.getLockedMonitors()) {
      monitors.add(m.getClassName() + " at " + m.getLockedStackFrame());
    }
    return monitors;
  }
}
