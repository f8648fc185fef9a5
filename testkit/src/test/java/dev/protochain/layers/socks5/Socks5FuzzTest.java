package dev.protochain.layers.socks5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.runtime.testing.Bounded;
import dev.protochain.runtime.testing.Peer;
import dev.protochain.runtime.testing.PropertyTimeout;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes what a SOCKS5 proxy answers the {@code socks5} layer: valid answers (no authentication or
 * RFC 1929 username/password; IPv4, IPv6 and domain bound addresses; with bytes of the target's
 * stream after them) mutated, random bytes, and addresses declaring more bytes than follow. A plain
 * {@link ServerSocket} on the loopback plays the proxy: it sends its bytes and ends its output (now
 * and then it stays silent instead). An independent reading of RFC 1928 and 1929 says what each
 * case must end in: the connect succeeds and the socket then carries exactly the bytes after the
 * reply; or it fails with the documented type ({@link ConnectException} for a refusal, {@link
 * ProtocolException} for a malformed reply, {@link EOFException} for a proxy that closed, {@link
 * SocketTimeoutException} for a silent one) naming the proxy. Within bounded time, with no thread
 * left behind, and allocating a bounded amount whatever length a reply declares.
 */
@PropertyTimeout(seconds = 120)
class Socks5FuzzTest {

  static final long ALLOCATION_BOUND = 4L << 20;
  static final InetSocketAddress TARGET = InetSocketAddress.createUnresolved("target.invalid", 80);

  static ServerSocket proxy;
  static ChainRuntime runtime;
  static Session plain;
  static Session authenticating;
  static String prefix;
  static final AtomicLong MOST_ALLOCATED = new AtomicLong();
  static final Map<String, LongAdder> OUTCOMES = new ConcurrentHashMap<>();

  @BeforeContainer
  static void start() throws IOException {
    proxy = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
    String at = "127.0.0.1:" + proxy.getLocalPort();
    prefix = "socks5 proxy " + at + " ";
    ProviderDescriptor socks5 = ProviderDescriptor.of(Socks5Layer.class);
    Catalog catalog =
        Catalog.builtin()
            .installLayer(
                "socks5",
                socks5.id(),
                Map.of("proxy", at, "handshake-timeout", "300ms"),
                List.of(1001))
            .installLayer(
                "socks5-auth",
                socks5.id(),
                Map.of(
                    "proxy",
                    at,
                    "handshake-timeout",
                    "300ms",
                    "username",
                    "alice",
                    "password",
                    "secret"),
                List.of(1001))
            .checkValid("fuzz");
    runtime =
        ChainRuntime.builder().name("socks5-fuzz").catalog(catalog).shutdownHook(false).build();
    plain = runtime.startup("socks5-tcp4");
    authenticating = runtime.startup("socks5-auth-tcp4");
  }

  @AfterContainer
  static void stop() throws IOException {
    plain.close();
    authenticating.close();
    runtime.close();
    proxy.close();
    System.out.printf(
        "socks5 fuzz: %s; at most %d bytes allocated by one connect (bound %d)%n",
        new TreeMap<>(OUTCOMES), MOST_ALLOCATED.get(), ALLOCATION_BOUND);
    runtime.counts().forEach((id, count) -> assertEquals(0, count, "count of " + id));
  }

  @Property(tries = 1_000, generation = GenerationMode.RANDOMIZED)
  void whateverAProxyAnswersTheConnectEndsAsRfc1928Says(
      @ForAll("answers") byte[] answer, @ForAll boolean auth, @ForAll("holds") boolean hold)
      throws Exception {
    check(answer, auth, hold);
  }

  @Property(tries = 30_000, generation = GenerationMode.RANDOMIZED)
  @Tag("soak")
  @PropertyTimeout(seconds = 1800)
  void manyMoreAnswers(
      @ForAll("answers") byte[] answer, @ForAll boolean auth, @ForAll("holds") boolean hold)
      throws Exception {
    check(answer, auth, hold);
  }

  static void check(byte[] answer, boolean auth, boolean hold) throws Exception {
    Expected expected = expected(answer, auth, hold);
    Thread fake = new Thread(() -> serve(answer, hold), "fuzz proxy");
    fake.setDaemon(true);
    fake.start();
    ChainSocket socket = (auth ? authenticating : plain).open();
    try {
      String outcome =
          Bounded.call(
              Duration.ofSeconds(10),
              "a socks5 connect to a fuzzed proxy",
              () -> {
                long before = Peer.allocated();
                try {
                  socket.connect(TARGET, Duration.ofSeconds(5));
                } catch (IOException e) {
                  long allocated = Peer.allocated() - before;
                  MOST_ALLOCATED.accumulateAndGet(allocated, Math::max);
                  assertTrue(allocated < ALLOCATION_BOUND, "allocated " + allocated + " bytes");
                  assertTrue(
                      String.valueOf(e.getMessage()).startsWith(prefix),
                      () -> "names the proxy: " + e);
                  assertEquals(
                      expected.failure(),
                      e.getClass(),
                      () -> "for " + Arrays.toString(answer) + ": " + e);
                  return e.getClass().getSimpleName();
                }
                assertEquals(
                    null, expected.failure(), () -> "connected for " + Arrays.toString(answer));
                if (!hold) {
                  socket.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));
                  ByteArrayOutputStream rest = new ByteArrayOutputStream();
                  ByteBuffer buf = ByteBuffer.allocate(1024);
                  while (socket.receive(buf.clear()) >= 0) {
                    rest.write(buf.array(), 0, buf.position());
                  }
                  assertArrayEquals(
                      expected.rest(),
                      rest.toByteArray(),
                      "the target's bytes, and only those, after the reply");
                }
                return "connected";
              });
      OUTCOMES.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    } finally {
      socket.close();
    }
    assertEquals(List.of(), Peer.join(5_000, fake), "threads left behind");
  }

  /**
   * Accepts one connection, sends the answer, ends its output unless {@code hold}, reads to the
   * end.
   */
  static void serve(byte[] answer, boolean hold) {
    try (Socket s = proxy.accept()) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(answer);
      s.getOutputStream().flush();
      if (!hold) {
        s.shutdownOutput();
      }
      InputStream in = s.getInputStream();
      while (in.read(new byte[512]) >= 0) {
        // Reads what the layer sends until it closes, so that closing never resets unread bytes.
      }
    } catch (IOException closedByTheCase) {
      // the layer gave up and closed
    }
  }

  /* ---- the oracle: RFC 1928 and RFC 1929, read independently ---- */

  /**
   * What a case must end in: a failure of this type, or success with {@code rest} following the
   * reply.
   */
  record Expected(Class<? extends IOException> failure, byte[] rest) {}

  static Expected expected(byte[] a, boolean auth, boolean hold) {
    Class<? extends IOException> ended = hold ? SocketTimeoutException.class : EOFException.class;
    ByteBuffer in = ByteBuffer.wrap(a);
    if (in.remaining() < 2) {
      return new Expected(ended, null);
    }
    if (in.get() != 5) {
      return new Expected(ProtocolException.class, null);
    }
    int method = in.get() & 0xff;
    if (method == 0xff) {
      return new Expected(ConnectException.class, null);
    }
    if (method == 2 && auth) {
      if (in.remaining() < 2) {
        return new Expected(ended, null);
      }
      if (in.get() != 1) {
        return new Expected(ProtocolException.class, null);
      }
      if (in.get() != 0) {
        return new Expected(ConnectException.class, null);
      }
    } else if (method != 0) {
      return new Expected(ProtocolException.class, null);
    }
    if (in.remaining() < 2) {
      return new Expected(ended, null);
    }
    if (in.get() != 5) {
      return new Expected(ProtocolException.class, null);
    }
    if (in.get() != 0) {
      return new Expected(ConnectException.class, null);
    }
    if (in.remaining() < 2) {
      return new Expected(ended, null);
    }
    in.get(); // RSV
    int type = in.get() & 0xff;
    int length;
    if (type == 1) {
      length = 4;
    } else if (type == 4) {
      length = 16;
    } else if (type == 3) {
      if (!in.hasRemaining()) {
        return new Expected(ended, null);
      }
      length = in.get() & 0xff;
    } else {
      return new Expected(ProtocolException.class, null);
    }
    if (in.remaining() < length + 2) {
      return new Expected(ended, null);
    }
    in.position(in.position() + length + 2);
    return new Expected(null, Arrays.copyOfRange(a, in.position(), a.length));
  }

  /* ---- generation ---- */

  @Provide
  Arbitrary<Boolean> holds() {
    return Arbitraries.frequency(Tuple.of(80, false), Tuple.of(1, true));
  }

  @Provide
  Arbitrary<byte[]> answers() {
    byte[] domain = "bound.example".getBytes(StandardCharsets.US_ASCII);
    List<byte[]> replies =
        List.of(
            new byte[] {5, 0, 0, 1, 127, 0, 0, 1, 0x1f, (byte) 0x90},
            Peer.concat(
                Peer.concat(new byte[] {5, 0, 0, 3, (byte) domain.length}, domain),
                new byte[] {0, 80}),
            Peer.concat(new byte[] {5, 0, 0, 4}, new byte[18]));
    Arbitrary<byte[]> valid =
        Combinators.combine(
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 2),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
            .as(
                (auth, reply, target) ->
                    Peer.concat(
                        Peer.concat(
                            auth ? new byte[] {5, 2, 1, 0} : new byte[] {5, 0}, replies.get(reply)),
                        target));
    Arbitrary<Peer.Mutation> mutation =
        Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 64),
                Arbitraries.integers().between(1, 8),
                Arbitraries.integers())
            .as(Peer.Mutation::new);
    Arbitrary<byte[]> mutated =
        Combinators.combine(valid, mutation.list().ofMinSize(1).ofMaxSize(3)).as(Peer::mutate);
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    Arbitrary<byte[]> shortDomain =
        Arbitraries.integers()
            .between(1, 255)
            .map(
                n ->
                    Peer.concat(
                        new byte[] {5, 0, 5, 0, 0, 3, (byte) (int) n},
                        new byte[Math.max(0, n - 3)]));
    return Arbitraries.frequencyOf(
        Tuple.of(2, valid), Tuple.of(7, mutated), Tuple.of(2, random), Tuple.of(1, shortDomain));
  }
}
