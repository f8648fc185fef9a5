package dev.protochain.samples.modules;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.ProviderSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Echoes random bytes over a chain of stock layers over {@code tcp4}, built in code from the
 * built-in catalog: {@code ModularEcho trace,coalesce 1048576} installs {@code coalesce} over
 * {@code tcp4}, then {@code trace} over that (the chain of {@code protochain demo}), and echoes a
 * MiB through {@code trace-coalesce-tcp4}; an empty list of layers echoes over {@code tcp4} itself.
 * It prints the module the runtime ran in ({@code dev.protochain.runtime} on the module path,
 * unnamed on the class path) and exits 0 when the bytes came back intact.
 */
public final class ModularEcho {

  private ModularEcho() {}

  /** Runs the echo; the arguments are the layers, top first, comma-separated, and the bytes. */
  public static void main(String[] args) throws Exception {
    List<String> layers =
        Stream.of((args.length > 0 ? args[0] : "trace,coalesce").split(","))
            .filter(name -> !name.isEmpty())
            .toList();
    int bytes = args.length > 1 ? Integer.parseInt(args[1]) : 1 << 20;
    System.exit(run(layers, bytes) ? 0 : 1);
  }

  static boolean run(List<String> layers, int bytes) throws Exception {
    ProviderSource stock = ProviderSource.classpath(ModularEcho.class.getClassLoader());
    Catalog catalog = Catalog.builtin();
    String chain = "tcp4";
    List<String> bottomUp = new ArrayList<>(layers);
    Collections.reverse(bottomUp);
    for (String layer : bottomUp) {
      ProviderDescriptor d =
          stock.descriptors().stream()
              .filter(x -> x.name().equals(layer))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("no stock layer '" + layer + "'"));
      catalog =
          catalog.installLayer(
              d.name(), d.id(), Map.of(), List.of(catalog.entry(chain).orElseThrow().id()));
      chain = layer + "-" + chain;
    }
    catalog = catalog.checkValid("modular echo");
    try (ChainRuntime runtime = ChainRuntime.builder().catalog(catalog).build()) {
      return echo(runtime, chain, bytes);
    }
  }

  /**
   * Echoes {@code bytes} random bytes over the entry {@code chain} of {@code runtime}, prints the
   * line saying so, and returns whether they came back intact.
   */
  static boolean echo(ChainRuntime runtime, String chain, int bytes) throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    try (Session session = runtime.startup(chain);
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
      Module module = ChainRuntime.class.getModule();
      System.out.println(
          "echoed "
              + bytes
              + " bytes over "
              + session.entry().name()
              + ": "
              + (intact ? "verified" : "CORRUPTED")
              + " (runtime in "
              + (module.isNamed() ? "module " + module.getName() : "the unnamed module")
              + ")");
      return intact;
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] sha256(byte[] b) throws IOException {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IOException(e);
    }
  }
}
