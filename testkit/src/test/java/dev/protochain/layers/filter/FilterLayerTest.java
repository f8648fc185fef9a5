package dev.protochain.layers.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.ChainSocketOptions;
import dev.protochain.api.Session;
import dev.protochain.layers.Stock;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which rule refuses what, on connect, accept and sendTo. Every address is on the loopback: refused
 * operations never leave the layer, and allowed ones reach only this machine.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FilterLayerTest {

  static final String FILTER = "filter 'filter' (entry 2001): ";

  static ChainRuntime runtime(Map<String, String> settings, String... over) throws IOException {
    return Stock.runtime(Stock.catalog(FilterLayer.class, settings, over));
  }

  /** Connects a filtered socket to a bare listener and returns the refusal. */
  static RefusedByFilterException refusedConnect(
      Map<String, String> settings, String base, InetAddress host) throws Exception {
    try (ChainRuntime rt = runtime(settings, base);
        Session bare = rt.startup(base);
        Session filtered = rt.startup("filter-" + base)) {
      ChainSocket listener = bare.open();
      listener.bind(new InetSocketAddress(host, 0));
      listener.listen(1);
      ChainSocket s = filtered.open();
      RefusedByFilterException e =
          assertThrows(
              RefusedByFilterException.class,
              () -> s.connect(listener.localAddress(), Duration.ofSeconds(5)));
      assertEquals(null, s.remoteAddress(), "nothing was connected");
      return e;
    }
  }

  static int port(ChainSocket s) throws IOException {
    return ((InetSocketAddress) s.localAddress()).getPort();
  }

  @Test
  void aDenyRuleRefusesAConnectAndSaysWhich() throws Exception {
    RefusedByFilterException e =
        refusedConnect(
            Map.of("deny", "10.0.0.0/8, 127.0.0.0/8"), "tcp4", InetAddress.getLoopbackAddress());
    assertTrue(
        e.getMessage()
            .matches(
                "filter 'filter' \\(entry 2001\\): connect to 127\\.0\\.0\\.1:\\d+ refused by rule deny 127\\.0\\.0\\.0/8"),
        e.getMessage());
    assertEquals("deny 127.0.0.0/8", e.rule());
  }

  @Test
  void anAllowListRefusesWhatNoneOfItsRulesCovers() throws Exception {
    try (ChainRuntime rt = runtime(Map.of("allow", "127.0.0.1:1-1023, ::1/128"), "mem-stream");
        Session bare = rt.startup("mem-stream");
        Session filtered = rt.startup("filter-mem-stream")) {
      ChainSocket listener = Stock.listener(bare);
      RefusedByFilterException e =
          assertThrows(
              RefusedByFilterException.class,
              () -> filtered.open().connect(listener.localAddress()));
      assertEquals(
          FILTER
              + "connect to 127.0.0.1:"
              + port(listener)
              + " refused: no allow rule covers it (allow 127.0.0.1:1-1023, ::1/128)",
          e.getMessage());
      assertEquals("allow", e.rule());
    }
  }

  @Test
  void portRulesAndIpv6RangesAreMatchedExactly() throws Exception {
    InetAddress v6 = InetAddress.getByName("::1");
    RefusedByFilterException bracketed =
        refusedConnect(Map.of("deny", "[::1]/128:1-65535"), "tcp6", v6);
    assertEquals("deny [::1]/128:1-65535", bracketed.rule());
    assertTrue(
        bracketed
            .getMessage()
            .matches(
                "filter 'filter' \\(entry 2001\\): connect to \\[0:0:0:0:0:0:0:1\\]:\\d+ refused by rule deny \\[::1\\]/128:1-65535"),
        bracketed.getMessage());
    // An IPv4 range never covers an IPv6 address: only the second rule applies.
    RefusedByFilterException v4rule = refusedConnect(Map.of("deny", "0.0.0.0/0, ::/0"), "tcp6", v6);
    assertEquals("deny ::/0", v4rule.rule());

    try (ChainRuntime rt = runtime(Map.of("deny", "*:1-1023, 127.0.0.2"), "mem-stream");
        Session bare = rt.startup("mem-stream");
        Session filtered = rt.startup("filter-mem-stream")) {
      ChainSocket listener = Stock.listener(bare);
      ChainSocket s = filtered.open();
      s.connect(listener.localAddress()); // 127.0.0.1 on an ephemeral port: neither rule covers it
      assertEquals(listener.localAddress(), s.remoteAddress());
    }
  }

  @Test
  void aRefusedAcceptClosesThatConnectionAndTheNextIsAccepted() throws Exception {
    try (ChainRuntime rt = runtime(Map.of("deny", "127.0.0.1:50001"), "mem-stream");
        Session bare = rt.startup("mem-stream");
        Session filtered = rt.startup("filter-mem-stream")) {
      ChainSocket listener = Stock.listener(filtered);
      ChainSocket denied = bare.open();
      denied.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 50001));
      denied.connect(listener.localAddress());
      ChainSocket allowed = bare.open();
      allowed.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 50002));
      allowed.connect(listener.localAddress());

      RefusedByFilterException e = assertThrows(RefusedByFilterException.class, listener::accept);
      assertEquals(
          FILTER + "accept from 127.0.0.1:50001 refused by rule deny 127.0.0.1:50001",
          e.getMessage());
      denied.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));
      IOException reset =
          assertThrows(IOException.class, () -> denied.receive(ByteBuffer.allocate(1)));
      assertEquals("Connection reset", reset.getMessage());

      ChainSocket accepted = listener.accept();
      assertEquals(allowed.localAddress(), accepted.remoteAddress());
    }
  }

  @Test
  void aDeniedSendToIsRefusedAndNothingIsSent() throws Exception {
    try (ChainRuntime rt = runtime(Map.of("deny", "*:50011"), "mem-dgram");
        Session bare = rt.startup("mem-dgram");
        Session filtered = rt.startup("filter-mem-dgram")) {
      ChainSocket denied = bare.open();
      denied.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 50011));
      denied.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofMillis(200));
      ChainSocket allowed = bare.open();
      allowed.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 50012));
      allowed.setOption(ChainSocketOptions.RECEIVE_TIMEOUT, Duration.ofSeconds(5));
      ChainSocket sender = filtered.open();
      sender.bind(Stock.loopback());

      RefusedByFilterException e =
          assertThrows(
              RefusedByFilterException.class,
              () -> sender.sendTo(ByteBuffer.wrap(new byte[] {1}), denied.localAddress()));
      assertEquals(FILTER + "sendTo 127.0.0.1:50011 refused by rule deny *:50011", e.getMessage());
      assertThrows(
          java.net.SocketTimeoutException.class, () -> denied.receiveFrom(ByteBuffer.allocate(4)));

      assertEquals(1, sender.sendTo(ByteBuffer.wrap(new byte[] {2}), allowed.localAddress()));
      ByteBuffer got = ByteBuffer.allocate(4);
      allowed.receiveFrom(got);
      assertEquals(2, got.get(0));
    }
  }

  /**
   * Connects a socket of {@code filtered} to the address {@code target} makes of the port of a bare
   * listener of {@code listening} on {@code host}, and returns the refusal.
   */
  static RefusedByFilterException refusedConnect(
      Map<String, String> settings,
      String listening,
      InetAddress host,
      String filtered,
      IntFunction<InetSocketAddress> target)
      throws Exception {
    try (ChainRuntime rt =
            listening.equals(filtered)
                ? runtime(settings, filtered)
                : runtime(settings, listening, filtered);
        Session bare = rt.startup(listening);
        Session filter = rt.startup("filter-" + filtered)) {
      ChainSocket listener = bare.open();
      listener.bind(new InetSocketAddress(host, 0));
      listener.listen(1);
      ChainSocket s = filter.open();
      RefusedByFilterException e =
          assertThrows(
              RefusedByFilterException.class,
              () -> s.connect(target.apply(port(listener)), Duration.ofSeconds(5)));
      assertEquals(null, s.remoteAddress(), "nothing was connected");
      return e;
    }
  }

  @Test
  void theWildcardAddressIsCheckedAsTheLoopbackAddressItReaches() throws Exception {
    InetAddress v4 = InetAddress.getLoopbackAddress();
    Map<String, String> deny = Map.of("deny", "127.0.0.0/8");
    for (String wildcard : List.of("0.0.0.0", "0")) {
      int[] port = new int[1];
      RefusedByFilterException e =
          refusedConnect(
              deny,
              "tcp4",
              v4,
              "tcp4",
              p -> {
                port[0] = p;
                return new InetSocketAddress(wildcard, p);
              });
      assertEquals(
          FILTER
              + "connect to 0.0.0.0:"
              + port[0]
              + " (which reaches 127.0.0.1:"
              + port[0]
              + ") refused by rule deny 127.0.0.0/8",
          e.getMessage(),
          wildcard);
    }

    int[] port = new int[1];
    RefusedByFilterException v6 =
        refusedConnect(
            Map.of("deny", "::1"),
            "tcp6",
            InetAddress.getByName("::1"),
            "tcp6",
            p -> {
              port[0] = p;
              return new InetSocketAddress("::", p);
            });
    assertEquals(
        FILTER
            + "connect to [0:0:0:0:0:0:0:0]:"
            + port[0]
            + " (which reaches [0:0:0:0:0:0:0:1]:"
            + port[0]
            + ") refused by rule deny ::1",
        v6.getMessage());

    try (ChainRuntime rt = runtime(deny, "udp4");
        Session bare = rt.startup("udp4");
        Session filtered = rt.startup("filter-udp4")) {
      ChainSocket local = bare.open();
      local.bind(Stock.loopback());
      ChainSocket sender = filtered.open();
      sender.bind(Stock.loopback());
      RefusedByFilterException e =
          assertThrows(
              RefusedByFilterException.class,
              () ->
                  sender.sendTo(
                      ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress("0", port(local))));
      assertEquals(
          FILTER
              + "sendTo 0.0.0.0:"
              + port(local)
              + " (which reaches 127.0.0.1:"
              + port(local)
              + ") refused by rule deny 127.0.0.0/8",
          e.getMessage());
    }
  }

  @Test
  void anIpv4MappedAddressIsCheckedAsTheIpv4AddressItCarries() throws Exception {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(InetAddress.getLoopbackAddress().getAddress(), 0, mapped, 12, 4);
    InetAddress v4mapped = Inet6Address.getByAddress(null, mapped, -1); // stays an Inet6Address
    int[] port = new int[1];
    // An IPv6 socket reaches a listener on 127.0.0.1 through ::ffff:127.0.0.1.
    RefusedByFilterException e =
        refusedConnect(
            Map.of("deny", "127.0.0.0/8"),
            "tcp4",
            InetAddress.getLoopbackAddress(),
            "tcp6",
            p -> {
              port[0] = p;
              return new InetSocketAddress(v4mapped, p);
            });
    assertEquals(
        FILTER
            + "connect to [0:0:0:0:0:ffff:7f00:1]:"
            + port[0]
            + " (which reaches 127.0.0.1:"
            + port[0]
            + ") refused by rule deny 127.0.0.0/8",
        e.getMessage());
  }

  @Test
  void aNameIsCheckedAsTheAddressItResolvedToAndAnUnresolvedOneIsRefused() throws Exception {
    int[] port = new int[1];
    RefusedByFilterException resolved =
        refusedConnect(
            Map.of("deny", "127.0.0.0/8, ::1"),
            "tcp4",
            InetAddress.getLoopbackAddress(),
            "tcp4",
            p -> {
              port[0] = p;
              return new InetSocketAddress("localhost", p);
            });
    assertEquals(
        FILTER + "connect to 127.0.0.1:" + port[0] + " refused by rule deny 127.0.0.0/8",
        resolved.getMessage());
    RefusedByFilterException unresolved =
        refusedConnect(
            Map.of("deny", "127.0.0.0/8"),
            "tcp4",
            InetAddress.getLoopbackAddress(),
            "tcp4",
            p -> {
              port[0] = p;
              return InetSocketAddress.createUnresolved("localhost", p);
            });
    assertEquals(
        FILTER
            + "connect to localhost/<unresolved>:"
            + port[0]
            + " refused: it is not a resolved IP address, and the rules cover only those",
        unresolved.getMessage());
  }
}
