package dev.protochain.base;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.base.LoadedProvider.Connection;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The stream socket contract, run over every stream transport: tcp4, tcp6 and memory. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class StreamSocketTest {

  private static final int ECHO_BYTES = 4 * 1024 * 1024;

  /* ---- data ---- */

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void echoOfSeveralMiBArrivesWithEqualDigest(StreamTransport transport) throws Exception {
    byte[] data = new byte[ECHO_BYTES];
    new Random(42).nextBytes(data);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (LoadedProvider p = transport.load()) {
      Connection c = p.connect(p.listen());
      Future<byte[]> serverDigest =
          pool.submit(
              () -> {
                MessageDigest digest = sha256();
                ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
                while (c.server.receive(buf) >= 0) {
                  buf.flip();
                  digest.update(buf.duplicate());
                  c.server.sendFully(buf);
                  buf.clear();
                }
                c.server.shutdownOutput();
                return digest.digest();
              });
      Future<?> sender =
          pool.submit(
              () -> {
                ByteBuffer src = ByteBuffer.wrap(data);
                while (src.hasRemaining()) {
                  ByteBuffer chunk = src.slice();
                  chunk.limit(Math.min(chunk.remaining(), 10_000));
                  c.client.sendFully(chunk);
                  src.position(src.position() + chunk.position());
                }
                c.client.shutdownOutput();
                return null;
              });
      MessageDigest echoed = sha256();
      ByteBuffer in = ByteBuffer.allocateDirect(16 * 1024);
      long total = 0;
      int n;
      while ((n = c.client.receive(in)) >= 0) {
        total += n;
        in.flip();
        echoed.update(in);
        in.clear();
      }
      sender.get();
      byte[] expected = sha256().digest(data);
      assertEquals(ECHO_BYTES, total, "bytes echoed");
      assertArrayEquals(expected, serverDigest.get(), "digest of what the server received");
      assertArrayEquals(expected, echoed.digest(), "digest of what the client received back");
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void shutdownOutputLetsPeerReadTheRestThenEndOfStreamAndStillReply(StreamTransport transport)
      throws Exception {
    try (LoadedProvider p = transport.load()) {
      Connection c = p.connect(p.listen());
      c.client.sendFully(ascii("request"));
      c.client.shutdownOutput();

      ByteBuffer request = ByteBuffer.allocate(7);
      assertTrue(c.server.receiveFully(request));
      assertEquals("request", text(request));
      assertEquals(-1, c.server.receive(ByteBuffer.allocate(8)), "end of stream after the rest");

      c.server.sendFully(ascii("reply"));
      c.server.close();
      ByteBuffer reply = ByteBuffer.allocate(16);
      assertFalse(c.client.receiveFully(reply), "the stream ends after the reply");
      assertEquals("reply", text(reply));
      assertThrows(
          ClosedChannelException.class,
          () -> c.client.send(ascii("more")),
          "send after shutdownOutput");
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void shutdownInputMakesReceiveReturnEndOfStream(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      Connection c = p.connect(p.listen());
      c.client.shutdownInput();
      assertEquals(-1, c.client.receive(ByteBuffer.allocate(4)));
      c.client.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(1));
      assertEquals(-1, c.client.receive(ByteBuffer.allocate(4)), "with a timeout too");
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void receiveIntoAFullBufferReturnsZero(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      Connection c = p.connect(p.listen());
      assertEquals(0, c.client.receive(ByteBuffer.allocate(0)));
      assertEquals(0, c.client.send(ByteBuffer.allocate(0)));
    }
  }

  /* ---- timeouts and refusals ---- */

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void receiveTimesOutAndTheSocketStaysUsable(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      Connection c = p.connect(p.listen());
      c.client.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(100));
      assertEquals(Duration.ofMillis(100), c.client.getOption(ChainSocketOptions.RECEIVE_TIMEOUT));
      long start = System.nanoTime();
      assertThrows(SocketTimeoutException.class, () -> c.client.receive(ByteBuffer.allocate(8)));
      assertTrue(
          System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(90), "waited the timeout");

      c.server.sendFully(ascii("late"));
      ByteBuffer heap = ByteBuffer.allocate(4);
      assertTrue(c.client.receiveFully(heap), "receive after a timeout");
      assertEquals("late", text(heap));
      c.server.sendFully(ascii("direct"));
      ByteBuffer direct = ByteBuffer.allocateDirect(6);
      assertTrue(c.client.receiveFully(direct), "timed receive into a direct buffer");
      assertEquals("direct", text(direct));
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void acceptTimesOut(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket listener = p.listen();
      listener.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(100));
      assertThrows(SocketTimeoutException.class, listener::accept);

      ChainSocket client = p.open();
      client.connect(p.address(LoadedProvider.port(listener)), Duration.ofSeconds(5));
      ChainSocket accepted = listener.accept();
      assertEquals(client.localAddress(), accepted.remoteAddress(), "accepted after a timeout");
      assertEquals(
          Duration.ZERO,
          accepted.getOption(ChainSocketOptions.RECEIVE_TIMEOUT),
          "RECEIVE_TIMEOUT is not inherited");
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void connectToAPortNobodyListensOnIsRefused(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket listener = p.listen();
      int port = LoadedProvider.port(listener);
      listener.close();
      ChainSocket client = p.open();
      ConnectException e =
          assertThrows(
              ConnectException.class, () -> client.connect(p.address(port), Duration.ofSeconds(2)));
      assertTrue(e.getMessage().startsWith("Connection refused"), e.getMessage());
      assertTrue(e.getMessage().contains(String.valueOf(port)), e.getMessage());
      assertNull(client.remoteAddress(), "not connected after a refusal");

      ChainSocket again = p.listen();
      client.connect(p.address(LoadedProvider.port(again)));
      assertEquals(
          p.address(LoadedProvider.port(again)),
          client.remoteAddress(),
          "connect may be retried after a refusal");
    }
  }

  /* ---- closing ---- */

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void lingerZeroClosesAbortivelyAndThePeerSeesAReset(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      Connection c = p.connect(p.listen());
      c.client.sendFully(ascii("x"));
      assertEquals(1, c.server.receive(ByteBuffer.allocate(1)));
      c.client.setOption(StandardSocketOptions.SO_LINGER, 0);
      assertEquals(0, c.client.getOption(StandardSocketOptions.SO_LINGER));
      c.client.close();
      SocketException e =
          assertThrows(SocketException.class, () -> c.server.receive(ByteBuffer.allocate(8)));
      assertEquals("Connection reset", e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void lingerZeroWakesAPeerBlockedInReceiveWithAReset(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      Connection c = p.connect(p.listen());
      Blocking<Integer> receive =
          Blocking.start("receive", () -> c.server.receive(ByteBuffer.allocate(8)));
      c.client.setOption(StandardSocketOptions.SO_LINGER, 0);
      c.client.close();
      Throwable e = receive.failure();
      assertInstanceOf(SocketException.class, e);
      assertEquals("Connection reset", e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void gracefulCloseDeliversWhatWasSentThenEndOfStream(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      Connection c = p.connect(p.listen());
      c.client.sendFully(ascii("bye"));
      c.client.close();
      ByteBuffer buf = ByteBuffer.allocate(8);
      assertFalse(c.server.receiveFully(buf));
      assertEquals("bye", text(buf));
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void operationsOnAClosedSocketFailWithClosedChannelAndClosingTwiceIsHarmless(
      StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      Connection c = p.connect(p.listen());
      c.client.close();
      assertDoesNotThrow(c.client::close);
      assertFalse(c.client.isOpen());
      assertThrows(ClosedChannelException.class, () -> c.client.send(ascii("x")));
      assertThrows(ClosedChannelException.class, () -> c.client.receive(ByteBuffer.allocate(1)));
      assertThrows(ClosedChannelException.class, () -> c.client.shutdownOutput());
      assertThrows(ClosedChannelException.class, () -> c.client.localAddress());
      assertThrows(
          ClosedChannelException.class, () -> c.client.getOption(StandardSocketOptions.SO_RCVBUF));
      assertThrows(ClosedChannelException.class, () -> c.client.bind(null));
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void closeFromAnotherThreadEndsABlockedReceiveWithClosedChannel(StreamTransport transport)
      throws Exception {
    try (LoadedProvider p = transport.load()) {
      Connection c = p.connect(p.listen());
      Blocking<Integer> receive =
          Blocking.start("receive", () -> c.client.receive(ByteBuffer.allocate(8)));
      c.client.close();
      assertInstanceOf(ClosedChannelException.class, receive.failure());
    }
  }

  /* ---- unload ---- */

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void unloadAbortsABlockedReceiveOnceAndEveryLaterOperation(StreamTransport transport)
      throws Exception {
    LoadedProvider p = transport.load();
    Connection c = p.connect(p.listen());
    Blocking<Integer> receive =
        Blocking.start("receive", () -> c.client.receive(ByteBuffer.allocate(8)));
    p.close();

    ProtochainException e = assertInstanceOf(ProtochainException.class, receive.failure());
    assertEquals(ProtochainException.Code.OPERATION_ABORTED, e.code());
    assertTrue(
        e.getMessage()
            .startsWith(
                "receive aborted: provider '"
                    + ProviderDescriptor.of(p.provider.getClass()).name()
                    + "' for entry "
                    + p.entry.id()
                    + " '"
                    + p.entry.name()
                    + "' was unloaded ("),
        e.getMessage());
    assertAborted("receive", () -> c.client.receive(ByteBuffer.allocate(8)));
    assertAborted("send", () -> c.client.send(ascii("x")));
    assertAborted("send", () -> c.server.send(ascii("x")));
    assertAborted("shutdownOutput", c.client::shutdownOutput);
    assertAborted("getOption SO_LINGER", () -> c.client.getOption(StandardSocketOptions.SO_LINGER));
    assertFalse(c.client.isOpen());
    assertDoesNotThrow(c.client::close, "closing an aborted socket");
    assertTrue(c.client.toString().contains(" aborted "), c.client.toString());
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void unloadAbortsABlockedTimedReceive(StreamTransport transport) throws Exception {
    LoadedProvider p = transport.load();
    Connection c = p.connect(p.listen());
    c.client.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(30));
    Blocking<Integer> receive =
        Blocking.start("receive", () -> c.client.receive(ByteBuffer.allocate(8)));
    p.close();
    assertCode(ProtochainException.Code.OPERATION_ABORTED, receive.failure());
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void unloadAbortsABlockedAccept(StreamTransport transport) throws Exception {
    LoadedProvider p = transport.load();
    ChainSocket listener = p.listen();
    Blocking<ChainSocket> accept = Blocking.start("accept", listener::accept);
    p.close();
    ProtochainException e = assertInstanceOf(ProtochainException.class, accept.failure());
    assertEquals(ProtochainException.Code.OPERATION_ABORTED, e.code());
    assertTrue(e.getMessage().startsWith("accept aborted: "), e.getMessage());
    assertAborted("accept", listener::accept);
    assertAborted("listen", () -> listener.listen(0));
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void unloadAbortsABlockedTimedAccept(StreamTransport transport) throws Exception {
    LoadedProvider p = transport.load();
    ChainSocket listener = p.listen();
    listener.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(30));
    Blocking<ChainSocket> accept = Blocking.start("accept", listener::accept);
    p.close();
    assertCode(ProtochainException.Code.OPERATION_ABORTED, accept.failure());
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void unloadClosesEverySocketAndLeavesNoThreadOrOpenSocket(StreamTransport transport)
      throws Exception {
    LoadedProvider p = transport.load();
    ChainSocket listener = p.listen();
    Connection c = p.connect(listener);
    ChainSocket unbound = p.open();
    ChainSocket bound = p.open();
    bound.bind(p.address(0));
    p.close();
    for (ChainSocket s : new ChainSocket[] {listener, c.client, c.server, unbound, bound}) {
      assertFalse(s.isOpen(), () -> s + " is still open");
    }
    assertAborted("open", () -> p.provider.open(TestContexts.startup(p.entry)));
    assertDoesNotThrow(p.provider::unload, "a second unload");
    assertTrue(p.provider.toString().endsWith("(unloaded)]"), p.provider.toString());
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName().toLowerCase(java.util.Locale.ROOT);
      assertFalse(
          name.contains("protochain") || name.contains(p.entry.name()),
          () -> "thread left behind: " + t);
    }
  }

  /* ---- options and state ---- */

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void unsupportedOptionNamesTheOptionAndTheProvider(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket s = p.open();
      UnsupportedOperationException e =
          assertThrows(
              UnsupportedOperationException.class,
              () -> s.setOption(StandardSocketOptions.IP_TOS, 8));
      String provider = transport == StreamTransport.MEMORY ? "memory" : "tcp";
      String supported =
          transport == StreamTransport.MEMORY
              ? "SO_LINGER, SO_RCVBUF, RECEIVE_TIMEOUT"
              : "SO_LINGER, SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR, RECEIVE_TIMEOUT";
      assertEquals(
          "option 'IP_TOS' is not supported by provider '"
              + provider
              + "' for entry "
              + p.entry.id()
              + " '"
              + p.entry.name()
              + "' (supported: "
              + supported
              + ")",
          e.getMessage());
      assertThrows(
          UnsupportedOperationException.class, () -> s.getOption(StandardSocketOptions.IP_TOS));
      assertEquals(supported.split(", ").length, s.supportedOptions().size());
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void invalidOptionValuesAreRefused(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket s = p.open();
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> s.setOption(StandardSocketOptions.SO_RCVBUF, 0));
      assertEquals("option 'SO_RCVBUF' of " + s + " cannot be 0 (expected: > 0)", e.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> s.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(-1)));
      assertThrows(
          IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.SO_LINGER, null));
      assertThrows(
          IllegalArgumentException.class,
          () -> s.setOption(StandardSocketOptions.SO_LINGER, 70_000));
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void optionsSetBeforeConnectingHoldAfterwards(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket listener = p.listen();
      ChainSocket client = p.open();
      client.setOption(StandardSocketOptions.SO_LINGER, 3);
      client.setOption(StandardSocketOptions.SO_RCVBUF, 32 * 1024);
      assertEquals(3, client.getOption(StandardSocketOptions.SO_LINGER), "before connect");
      client.connect(p.address(LoadedProvider.port(listener)));
      assertEquals(3, client.getOption(StandardSocketOptions.SO_LINGER), "after connect");
      assertTrue(client.getOption(StandardSocketOptions.SO_RCVBUF) >= 32 * 1024 / 2, "SO_RCVBUF");
      assertEquals(SocketType.STREAM, client.type());
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void toStringShowsStateAndAddresses(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      String kind = transport == StreamTransport.MEMORY ? "InMemoryStreamSocket" : "TcpSocket";
      String name = p.entry.name();
      ChainSocket s = p.open();
      assertEquals(kind + "[" + name + " unbound]", s.toString());
      ChainSocket listener = p.listen();
      String at = hostPort(p, LoadedProvider.port(listener));
      assertEquals(kind + "[" + name + " listening " + at + "]", listener.toString());
      s.connect(p.address(LoadedProvider.port(listener)));
      String local = hostPort(p, LoadedProvider.port(s));
      assertEquals(kind + "[" + name + " " + local + " -> " + at + "]", s.toString());
      s.close();
      assertEquals(kind + "[" + name + " closed " + local + " -> " + at + "]", s.toString());
    }
  }

  @ParameterizedTest
  @EnumSource(StreamTransport.class)
  void misuseFailsWithStateInTheMessage(StreamTransport transport) throws Exception {
    try (LoadedProvider p = transport.load()) {
      ChainSocket s = p.open();
      IllegalStateException e = assertThrows(IllegalStateException.class, s::accept);
      assertEquals(
          "accept on " + s + ": the socket is not listening (expected: listen first)",
          e.getMessage());
      assertThrows(IllegalStateException.class, () -> s.send(ascii("x")));
      assertThrows(UnsupportedOperationException.class, () -> s.sendTo(ascii("x"), p.address(1)));
      assertThrows(
          UnsupportedOperationException.class, () -> s.receiveFrom(ByteBuffer.allocate(1)));
      assertThrows(
          IllegalArgumentException.class,
          () -> s.connect(InetSocketAddress.createUnresolved("nowhere.invalid", 1)));
      ChainSocket listener = p.listen();
      assertDoesNotThrow(() -> listener.listen(5), "listen twice");
      assertThrows(IllegalStateException.class, () -> listener.connect(p.address(1)));
      assertThrows(IllegalStateException.class, () -> listener.bind(p.address(0)));
    }
  }

  /* ---- helpers ---- */

  static String hostPort(LoadedProvider p, int port) {
    String host = p.host.getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  static void assertAborted(String operation, org.junit.jupiter.api.function.Executable call) {
    ProtochainException e = assertThrows(ProtochainException.class, call, operation);
    assertEquals(ProtochainException.Code.OPERATION_ABORTED, e.code(), operation);
    assertTrue(e.getMessage().startsWith(operation + " aborted: provider '"), e.getMessage());
  }

  static void assertCode(ProtochainException.Code code, Throwable t) {
    assertTrue(ProtochainException.hasCode(t, code), () -> "expected " + code + ", got " + t);
  }

  static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  static String text(ByteBuffer b) {
    ByteBuffer copy = b.duplicate();
    copy.flip();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  static MessageDigest sha256() throws NoSuchAlgorithmException {
    return MessageDigest.getInstance("SHA-256");
  }
}
