package dev.protochain.benchmarks;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The unmodified client of the agent comparison ({@link AgentComparison}), run in a JVM of its own
 * with or without {@code -javaagent}. It uses nothing of protochain and only the JDK, so its class
 * path is this class alone. It prints one line, the measure, on standard output:
 *
 * <ul>
 *   <li>{@code get URL WARM COUNT}: {@code COUNT} sequential GETs over one keep-alive {@link
 *       HttpClient} connection after {@code WARM} not counted; prints the p50 in microseconds.
 *   <li>{@code upload HOST PORT BYTES}: a {@link Socket} writing {@code BYTES} in 64 KiB writes,
 *       then its end, to a sink that answers with the count it read; prints MiB/s from the first
 *       write to that answer. Run twice: the first, a warm-up, is not printed.
 * </ul>
 */
public final class AgentClient {

  private AgentClient() {}

  /** Runs one measure; see the class comment. */
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "get":
        System.out.printf(
            Locale.ROOT,
            "%.1f%n",
            getP50(URI.create(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3])));
        break;
      case "upload":
        InetSocketAddress sink = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        long bytes = Long.parseLong(args[3]);
        upload(sink, Math.max(1, bytes / 8)); // compiled code, buffers and the agent's path up
        System.out.printf(Locale.ROOT, "%.1f%n", upload(sink, bytes));
        break;
      default:
        throw new IllegalArgumentException("get or upload, not " + args[0]);
    }
  }

  private static double getP50(URI uri, int warm, int count) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
    long[] nanos = new long[count];
    for (int i = 0; i < warm + count; i++) {
      long start = System.nanoTime();
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      long took = System.nanoTime() - start;
      if (response.statusCode() != 200) {
        throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
      }
      if (i >= warm) {
        nanos[i - warm] = took;
      }
    }
    Arrays.sort(nanos);
    return nanos[(count - 1) / 2] / 1000.0;
  }

  /** Returns MiB/s of {@code bytes} written in 64 KiB writes, until the sink has counted them. */
  private static double upload(InetSocketAddress sink, long bytes) throws Exception {
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) 'x');
    try (Socket socket = new Socket()) {
      socket.connect(sink, 10_000);
      OutputStream out = socket.getOutputStream();
      long start = System.nanoTime();
      for (long left = bytes; left > 0; left -= chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
      socket.shutdownOutput();
      long counted = new DataInputStream(socket.getInputStream()).readLong();
      long took = System.nanoTime() - start;
      if (counted != bytes) {
        throw new IllegalStateException("the sink counted " + counted + " of " + bytes + " bytes");
      }
      return bytes / (1024.0 * 1024.0) / (took / 1e9);
    }
  }
}
