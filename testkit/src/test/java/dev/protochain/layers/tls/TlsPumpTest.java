package dev.protochain.layers.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@link TlsPump}s talking to each other over in-memory pipes, no socket anywhere: the
 * handshake, bytes both ways, close_notify, truncation, and handshake failures in our words. The
 * key material is made once per class with the JDK's {@code keytool}.
 */
@Timeout(60)
class TlsPumpTest {

  static final char[] PASSWORD = "secret".toCharArray();
  static final String ENTRY = "entry 2001 'tls'";

  @TempDir static Path dir;
  static SSLContext server;
  static SSLContext client;
  static SSLContext stranger;

  final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeAll
  static void makeKeys() throws Exception {
    Path serverKeys = keytool("server");
    Path strangerKeys = keytool("stranger");
    server = context(serverKeys, serverKeys);
    client = context(null, serverKeys);
    stranger = context(null, strangerKeys); // trusts another certificate than the server's
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void bytesTravelIntactBothWaysAndCloseNotifyEndsEachDirection() throws Exception {
    Pair pair = new Pair(client);
    pair.handshake();
    byte[] up = random(300_000, 1);
    byte[] down = random(100_000, 2);
    Future<byte[]> atServer =
        pool.submit(
            () -> {
              byte[] got = receiveAll(pair.server, up.length + 1);
              send(pair.server, down);
              pair.server.shutdownOutput();
              return got;
            });
    send(pair.client, up);
    pair.client.shutdownOutput();
    byte[] back = receiveAll(pair.client, down.length + 1);
    assertArrayEquals(up, atServer.get(20, TimeUnit.SECONDS));
    assertArrayEquals(down, back);
    assertEquals("TLSv1.3", pair.client.protocol());
  }

  @Test
  void aWireEndingWithoutCloseNotifyIsATruncationNamingThePeer() throws Exception {
    Pair pair = new Pair(client);
    pair.handshake();
    send(pair.client, "cut".getBytes(StandardCharsets.US_ASCII));
    pair.toServer.close();
    ByteBuffer got = ByteBuffer.allocate(3);
    while (got.hasRemaining()) {
      pair.server.receive(got);
    }
    assertEquals("cut", new String(got.array(), StandardCharsets.US_ASCII), "what came before");
    SSLException e =
        assertThrows(SSLException.class, () -> pair.server.receive(ByteBuffer.allocate(1)));
    assertEquals(
        "tls connection with client:1 was truncated ("
            + ENTRY
            + "): "
            + "the peer closed it without close_notify",
        e.getMessage());
    SSLException again =
        assertThrows(SSLException.class, () -> pair.server.receive(ByteBuffer.allocate(1)));
    assertEquals(e.getMessage(), again.getMessage());
  }

  @Test
  void aClientThatDoesNotTrustTheServerTellsItWhyWithAnAlert() throws Exception {
    Pair pair = new Pair(stranger);
    Future<Exception> atServer =
        pool.submit(
            () ->
                assertThrows(
                    SSLHandshakeException.class, () -> pair.server.handshake(Duration.ZERO)));
    SSLHandshakeException atClient =
        assertThrows(SSLHandshakeException.class, () -> pair.client.handshake(Duration.ZERO));
    assertTrue(
        atClient.getMessage().startsWith("tls handshake with server:1 failed (" + ENTRY + "): "),
        atClient.getMessage());
    // The JDK's client alerts certificate_unknown up to 21 and bad_certificate from 25 on.
    String atServerMessage = atServer.get(20, TimeUnit.SECONDS).getMessage();
    assertTrue(
        atServerMessage.matches(
            "tls handshake with client:1 failed \\(entry 2001 'tls'\\): the peer rejected our "
                + "certificate \\(alert: (certificate_unknown|bad_certificate)\\)"),
        atServerMessage);
  }

  @Test
  void aPeerSpeakingPlainTextFailsTheHandshakeSayingSo() throws Exception {
    Pair pair = new Pair(client);
    pair.toServer.write(
        ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    SSLHandshakeException e =
        assertThrows(SSLHandshakeException.class, () -> pair.server.handshake(Duration.ZERO));
    assertEquals(
        "tls handshake with client:1 failed ("
            + ENTRY
            + "): the peer sent plain text ('GET / HTTP/1.1'), not a TLS record",
        e.getMessage());
    SSLHandshakeException later =
        assertThrows(SSLHandshakeException.class, () -> pair.server.send(ByteBuffer.allocate(1)));
    assertEquals(e.getMessage(), later.getMessage());
  }

  @Test
  void aSilentPeerTimesTheHandshakeOut() throws Exception {
    Pair pair = new Pair(client);
    long start = System.nanoTime();
    SocketTimeoutException e =
        assertThrows(
            SocketTimeoutException.class, () -> pair.client.handshake(Duration.ofMillis(200)));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(
        "tls handshake with server:1 failed (" + ENTRY + "): no answer within 200ms",
        e.getMessage());
    assertTrue(millis >= 150 && millis < 5_000, millis + " ms");
  }

  @Test
  void anApplicationCloseDuringTheHandshakeFailsItAsClosed() throws Exception {
    Pair pair = new Pair(client);
    Future<Exception> handshaking =
        pool.submit(
            () -> assertThrows(IOException.class, () -> pair.client.handshake(Duration.ZERO)));
    Thread.sleep(100);
    pair.clientClosed.set(true);
    pair.toClient.close(); // as closing the socket below ends a blocked read
    assertEquals(
        java.nio.channels.ClosedChannelException.class,
        handshaking.get(10, TimeUnit.SECONDS).getClass());
  }

  /* ---- fixtures ---- */

  /** A client pump and a server pump, each end's wire the other's. */
  final class Pair {
    final Pipe toServer = new Pipe();
    final Pipe toClient = new Pipe();
    final AtomicBoolean clientClosed = new AtomicBoolean();
    final TlsPump client;
    final TlsPump server;

    Pair(SSLContext clientContext) {
      SSLEngine c = clientContext.createSSLEngine("localhost", 443);
      c.setUseClientMode(true);
      SSLEngine s = TlsPumpTest.server.createSSLEngine();
      s.setUseClientMode(false);
      client = new TlsPump(c, wire(toServer, toClient), "server:1", ENTRY, clientClosed);
      server = new TlsPump(s, wire(toClient, toServer), "client:1", ENTRY, new AtomicBoolean());
    }

    void handshake() throws Exception {
      Future<?> s =
          pool.submit(
              () -> {
                server.handshake(Duration.ofSeconds(10));
                return null;
              });
      client.handshake(Duration.ofSeconds(10));
      s.get(10, TimeUnit.SECONDS);
    }
  }

  static TlsPump.Wire wire(Pipe out, Pipe in) {
    return new TlsPump.Wire() {
      @Override
      public void send(ByteBuffer src) {
        out.write(src);
      }

      @Override
      public int receive(ByteBuffer dst, Duration timeout) throws IOException {
        return in.read(dst, timeout);
      }
    };
  }

  /** One direction of an in-memory connection: unbounded, with an end and read timeouts. */
  static final class Pipe {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private ByteBuffer held = ByteBuffer.allocate(1 << 16); // write mode
    private boolean closed;

    void write(ByteBuffer src) {
      lock.lock();
      try {
        if (held.remaining() < src.remaining()) {
          ByteBuffer bigger = ByteBuffer.allocate((held.position() + src.remaining()) * 2);
          bigger.put(held.flip());
          held = bigger;
        }
        held.put(src);
        readable.signalAll();
      } finally {
        lock.unlock();
      }
    }

    int read(ByteBuffer dst, Duration timeout) throws IOException {
      lock.lock();
      try {
        long left = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
        while (held.position() == 0 && !closed) {
          if (left <= 0) {
            throw new SocketTimeoutException("Read timed out");
          }
          try {
            left = readable.awaitNanos(left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
          }
        }
        if (held.position() == 0) {
          return -1;
        }
        held.flip();
        int n = dev.protochain.layers.internal.Sockets.transfer(held, dst);
        held.compact();
        return n;
      } finally {
        lock.unlock();
      }
    }

    void close() {
      lock.lock();
      try {
        closed = true;
        readable.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  static void send(TlsPump pump, byte[] bytes) throws IOException {
    ByteBuffer src = ByteBuffer.wrap(bytes);
    Random sizes = new Random(3);
    while (src.hasRemaining()) {
      ByteBuffer chunk = src.slice();
      chunk.limit(Math.min(chunk.remaining(), 1 + sizes.nextInt(20_000)));
      while (chunk.hasRemaining()) {
        pump.send(chunk);
      }
      src.position(src.position() + chunk.position());
    }
  }

  /** Receives until close_notify; fails if more than {@code most - 1} bytes arrive. */
  static byte[] receiveAll(TlsPump pump, int most) throws IOException {
    ByteBuffer all = ByteBuffer.allocate(most);
    ByteBuffer small = ByteBuffer.allocate(777);
    while (pump.receive(small.clear()) >= 0) {
      all.put(small.flip());
    }
    assertTrue(all.hasRemaining(), "more bytes than were sent");
    byte[] got = new byte[all.position()];
    all.flip().get(got);
    return got;
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Makes {@code name.p12}, an EC key and its self-signed certificate for localhost. */
  static Path keytool(String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair",
                    "-alias",
                    name,
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "san=dns:localhost",
                    "-validity",
                    "2",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    store.toString(),
                    "-storepass",
                    new String(PASSWORD)))
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not end");
    assertEquals(0, p.exitValue(), output);
    return store;
  }

  /** Returns a context with the key of {@code keys} (none if null), trusting {@code trust}. */
  static SSLContext context(Path keys, Path trust) throws Exception {
    KeyManagerFactory kmf = null;
    if (keys != null) {
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(load(keys), PASSWORD);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load(trust));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  static KeyStore load(Path file) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, PASSWORD);
    }
    return store;
  }
}
