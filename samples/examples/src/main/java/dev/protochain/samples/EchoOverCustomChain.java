package dev.protochain.samples;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.trace.TraceLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.LifecycleEvent;
import dev.protochain.runtime.ProviderSource;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Echoes random bytes over a chain built in code: the application's own {@link CountingLayer} under
 * the stock {@code trace} layer, over {@code tcp4}. Run it with {@code samples/run echo [BYTES]}.
 */
public final class EchoOverCustomChain {

  private EchoOverCustomChain() {}

  /** Runs the example; the optional argument is the number of bytes to echo. */
  public static void main(String[] args) throws Exception {
    dev.protochain.runtime.LauncherDefaults.apply();
    System.exit(run(args.length > 0 ? Integer.parseInt(args[0]) : 1 << 20, System.out));
  }

  /** Runs the example, printing to {@code out}; returns 0 when the echo came back intact. */
  public static int run(int bytes, PrintStream out) throws Exception {
    ProviderDescriptor counting = ProviderDescriptor.of(CountingLayer.class);
    ProviderDescriptor trace = ProviderDescriptor.of(TraceLayer.class);
    Catalog catalog =
        Catalog.builtin().installLayer("counting", counting.id(), Map.of(), List.of(1001));
    catalog =
        catalog
            .installLayer(
                "trace",
                trace.id(),
                Map.of(),
                List.of(catalog.entry("counting-tcp4").orElseThrow().id()))
            .checkValid("example");

    CountingLayer.Counters counters = new CountingLayer.Counters();
    try (ChainRuntime runtime =
        ChainRuntime.builder()
            .catalog(catalog)
            .source(ProviderSource.of(List.of(CountingLayer.class))) // the application's own layer
            .service(
                CountingLayer.Counters.class,
                counters) // which it finds through its runtime services
            .listener(
                e -> {
                  if (e.type() == LifecycleEvent.Type.LOAD
                      || e.type() == LifecycleEvent.Type.UNLOAD) {
                    out.println(
                        "  "
                            + e.type().name().toLowerCase(java.util.Locale.ROOT)
                            + " "
                            + e.provider().name());
                  }
                })
            .build()) {
      ExecutorService pool = Executors.newCachedThreadPool();
      try (Session session = runtime.startup("trace-counting-tcp4");
          ChainSocket listener = session.open();
          ChainSocket client = session.open()) {
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        listener.listen(1);
        Future<?> echo =
            pool.submit(
                () -> {
                  try (ChainSocket peer = listener.accept()) {
                    ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
                    while (peer.receive(buf.clear()) >= 0) {
                      peer.sendFully(buf.flip());
                    }
                    peer.shutdownOutput();
                  }
                  return null;
                });
        byte[] payload = new byte[bytes];
        new Random(1).nextBytes(payload);
        client.connect(listener.localAddress());
        Future<?> sending =
            pool.submit(
                () -> {
                  client.sendFully(ByteBuffer.wrap(payload));
                  client.shutdownOutput();
                  return null;
                });
        ByteBuffer back = ByteBuffer.allocate(bytes);
        boolean complete = client.receiveFully(back) && client.receive(ByteBuffer.allocate(1)) < 0;
        sending.get(60, TimeUnit.SECONDS);
        echo.get(60, TimeUnit.SECONDS);
        boolean intact = complete && MessageDigest.isEqual(sha256(payload), sha256(back.array()));
        out.println(
            "echoed "
                + bytes
                + " bytes over "
                + session.entry().name()
                + ": "
                + (intact ? "verified" : "CORRUPTED")
                + " (sha-256 "
                + HexFormat.of().formatHex(sha256(payload)).substring(0, 16)
                + ")");
        out.println(
            "the counting layer saw "
                + counters.sent()
                + " bytes sent and "
                + counters.received()
                + " received (both directions of both ends)");
        return intact ? 0 : 1;
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static byte[] sha256(byte[] b) throws IOException {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
  }
}
