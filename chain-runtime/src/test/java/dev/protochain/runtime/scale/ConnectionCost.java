package dev.protochain.runtime.scale;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import java.io.Closeable;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;

/**
 * What one connection of the scale chain costs, measured in one JVM so that the numbers do not
 * depend on a quiet machine: {@code N} connections, one startup each, opened and connected one
 * after the other on the calling (platform) thread, whose allocated bytes are counted; then each
 * handed to a thread of its own (the runtime's: virtual threads where the JDK has them) that blocks
 * in a receive. Prints the bytes allocated per connection, the heap retained per connection after a
 * garbage collection while all are blocked, and the frames of one blocked receive. {@code raw} does
 * the same over plain blocking NIO channels, the floor to compare with.
 *
 * <p>{@code ConnectionCost chain|raw N [histogram] [concurrent]}: with {@code histogram}, prints
 * the heap's class histogram at the plateau too; with {@code concurrent}, dials as {@link
 * ScaleNode#drive} does instead (see {@link #concurrent}). The server is in-process: it accepts and
 * holds the channels. Not a test: run by hand with the module's test classpath, on JDK 21+ for
 * virtual threads, with {@code ulimit -n} above 2N.
 */
public final class ConnectionCost {

  private ConnectionCost() {}

  /** A held connection: a receive to block in, and a close. */
  private interface Held extends Closeable {
    int receive(ByteBuffer dst) throws java.io.IOException;
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int n = Integer.parseInt(args[1]);
    List<String> flags = List.of(args).subList(2, args.length);
    boolean histogram = flags.contains("histogram");
    boolean concurrent = flags.contains("concurrent");
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", 0), 16384);
    InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
    List<SocketChannel> accepted = new ArrayList<>(n);
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  SocketChannel s = server.accept();
                  synchronized (accepted) {
                    accepted.add(s);
                  }
                }
              } catch (java.io.IOException e) {
                // closed at the end
              }
            },
            "cost-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();

    ChainRuntime runtime =
        mode.equals("chain")
            ? ChainRuntime.builder().name("cost").catalog(ScaleNode.catalog()).build()
            : null;
    ThreadFactory factory = runtime != null ? runtime.threadFactory() : virtualOrPlatform();
    // Warm up: load the providers, classes and code paths once, outside the measure.
    List<Held> warm = new ArrayList<>();
    for (int i = 0; i < Math.min(200, n); i++) {
      warm.add(dial(runtime, address));
    }
    for (Held h : warm) {
      h.close();
    }
    Session keeper = runtime != null ? ScaleNode.startup(runtime) : null;
    if (concurrent) {
      concurrent(runtime, factory, address, n, memory, histogram);
      if (keeper != null) {
        keeper.close();
        runtime.close();
      }
      server.close();
      return;
    }
    long heapBefore = usedAfterGc(memory);
    long allocBefore = threads.getCurrentThreadAllocatedBytes();
    long t0 = System.nanoTime();
    List<Held> held = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      held.add(dial(runtime, address));
    }
    long connectNanos = System.nanoTime() - t0;
    long allocated = threads.getCurrentThreadAllocatedBytes() - allocBefore;
    CountDownLatch receiving = new CountDownLatch(n);
    List<Thread> readers = new ArrayList<>(n);
    for (Held h : held) {
      Thread t =
          factory.newThread(
              () -> {
                receiving.countDown();
                try {
                  h.receive(ByteBuffer.allocate(1));
                } catch (java.io.IOException e) {
                  // closed at the end
                }
              });
      readers.add(t);
      t.start();
    }
    receiving.await();
    Thread probe = readers.get(n / 2);
    while (probe.getState() != Thread.State.WAITING) {
      Thread.sleep(10);
    }
    Thread.sleep(500);
    StackTraceElement[] stack = probe.getStackTrace();
    long heapAfter = usedAfterGc(memory);
    System.out.printf(
        "mode=%s n=%d virtual=%s%nallocatedBytesPerConnection=%d%nretainedBytesPerConnection=%d%n"
            + "connectMicrosPerConnection=%d%nblockedReceiveFrames=%d%n",
        mode,
        n,
        isVirtual(probe),
        allocated / n,
        (heapAfter - heapBefore) / n,
        connectNanos / 1000 / n,
        stack.length);
    if (System.getProperty("cost.stack") != null) {
      for (StackTraceElement e : stack) {
        System.out.println("  at " + e);
      }
    }
    if (histogram) {
      System.out.println(histogram());
    }
    for (Held h : held) {
      h.close();
    }
    if (keeper != null) {
      keeper.close();
      runtime.close();
    }
    server.close();
  }

  /**
   * The scale client's way: each connection dialled on a thread of its own, all at once, which then
   * waits for the others (as {@link ScaleNode#drive} holds them). Prints the wall time to connect
   * them all, the bytes every thread allocated meanwhile (JDK 21+), the heap and the resident
   * memory (after a GC) retained per connection and the stack chunks the parked threads keep.
   */
  private static void concurrent(
      ChainRuntime runtime,
      ThreadFactory factory,
      InetSocketAddress address,
      int n,
      MemoryMXBean memory,
      boolean printHistogram)
      throws Exception {
    long heapBefore = usedAfterGc(memory);
    long rssBefore = ScaleNode.rssAfterGcKiB();
    diagnostic("vmNativeMemory", "baseline");
    long allocBefore = totalAllocated();
    CountDownLatch connected = new CountDownLatch(n);
    CountDownLatch go = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger errors =
        new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> threads = new ArrayList<>(n);
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Thread t =
          factory.newThread(
              () -> {
                Held h = null;
                try {
                  try {
                    h = dial(runtime, address);
                  } finally {
                    connected.countDown();
                  }
                  go.await();
                } catch (Exception e) {
                  errors.incrementAndGet();
                } finally {
                  if (h != null) {
                    try {
                      h.close();
                    } catch (java.io.IOException e) {
                      errors.incrementAndGet();
                    }
                  }
                }
              });
      threads.add(t);
      t.start();
    }
    connected.await();
    long connectNanos = System.nanoTime() - t0;
    long allocated = totalAllocated() - allocBefore;
    Thread.sleep(500);
    long heapAfter = usedAfterGc(memory);
    long rssAfter = ScaleNode.rssAfterGcKiB();
    String histogram = histogram();
    long chunks = 0;
    long chunkBytes = 0;
    for (String line : histogram.lines().toList()) {
      String[] f = line.trim().split("\\s+", -1);
      if (f.length >= 4 && f[3].equals("jdk.internal.vm.StackChunk")) {
        chunks = Long.parseLong(f[1]);
        chunkBytes = Long.parseLong(f[2]);
      }
    }
    System.out.printf(
        "mode=%s concurrent n=%d errors=%d%nconnectMillisTotal=%d%n"
            + "allocatedBytesPerConnection(all threads)=%d%nretainedBytesPerConnection=%d%n"
            + "residentBytesPerConnection=%d%n"
            + "stackChunksPerThread=%.2f stackChunkBytesPerThread=%d%n",
        runtime == null ? "raw" : "chain",
        n,
        errors.get(),
        connectNanos / 1_000_000,
        allocated < 0 ? -1 : allocated / n,
        (heapAfter - heapBefore) / n,
        (rssAfter - rssBefore) * 1024 / n,
        (double) chunks / n,
        chunkBytes / n);
    if (printHistogram) {
      System.out.println(histogram);
    }
    System.out.println(diagnostic("vmNativeMemory", "summary.diff"));
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
  }

  private static long totalAllocated() {
    try {
      return (Long)
          com.sun.management.ThreadMXBean.class
              .getMethod("getTotalThreadAllocatedBytes")
              .invoke(ManagementFactory.getThreadMXBean());
    } catch (ReflectiveOperationException e) {
      return -1; // before JDK 21
    }
  }

  private static String histogram() throws Exception {
    return diagnostic("gcClassHistogram");
  }

  /**
   * Runs a diagnostic command ({@code jcmd}'s, by its MBean operation name) in this JVM; the native
   * memory ones answer only with {@code -XX:NativeMemoryTracking=summary}.
   */
  private static String diagnostic(String operation, String... args) throws Exception {
    return (String)
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                operation,
                new Object[] {args},
                new String[] {String[].class.getName()});
  }

  private static Held dial(ChainRuntime runtime, InetSocketAddress address)
      throws java.io.IOException {
    if (runtime == null) {
      SocketChannel ch = SocketChannel.open(address);
      return new Held() {
        @Override
        public int receive(ByteBuffer dst) throws java.io.IOException {
          return ch.read(dst);
        }

        @Override
        public void close() throws java.io.IOException {
          ch.close();
        }
      };
    }
    Session session = ScaleNode.startup(runtime);
    ChainSocket socket = session.open();
    socket.connect(address);
    return new Held() {
      @Override
      public int receive(ByteBuffer dst) throws java.io.IOException {
        return socket.receive(dst);
      }

      @Override
      public void close() throws java.io.IOException {
        try (session) {
          socket.close();
        }
      }
    };
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static ThreadFactory virtualOrPlatform() {
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      return (ThreadFactory)
          Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
    } catch (ReflectiveOperationException e) {
      return Thread::new;
    }
  }

  private static boolean isVirtual(Thread t) {
    try {
      return (Boolean) Thread.class.getMethod("isVirtual").invoke(t);
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }
}
