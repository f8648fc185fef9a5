package dev.protochain.layers.filter;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses connects, accepts and sendTos whose peer address is denied, or not allowed; otherwise
 * changes nothing.
 *
 * <h2>Rules</h2>
 *
 * Each of {@code allow} and {@code deny} is a comma-separated list of rules. A rule is an address
 * range and, after a colon, a port or port range: {@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code
 * 192.0.2.0/24:443}, {@code 2001:db8::/32}, {@code [2001:db8::]/32:8000-8999}, {@code [::1]:80},
 * {@code *:22} ({@code *} is any address; no port means every port). An IPv6 range takes a port
 * only inside brackets. Addresses are literals, never names to look up; an IPv4 range never covers
 * an IPv6 address nor the other way round.
 *
 * <p>The peer address of the operation (the target of a connect or sendTo, the remote address of an
 * accepted connection) is refused by the first {@code deny} rule covering it; otherwise, when
 * {@code allow} lists any rule, it must be covered by one of them; otherwise it passes. With no
 * rule at all every address passes. An address that is not a resolved {@link InetSocketAddress}
 * passes only when there is no rule: a name is checked as the address it was resolved to, which is
 * the address the socket below connects to.
 *
 * <p>Rules are checked against the address a connection actually reaches: the wildcard address
 * ({@code 0.0.0.0}, or {@code 0}, and {@code ::}), which connects to this host, counts as the
 * loopback address of its family ({@code 127.0.0.1}, {@code ::1}), and an IPv4-mapped IPv6 address
 * ({@code ::ffff:127.0.0.1}) as the IPv4 address it carries; a deny rule covering either form
 * refuses it. A refusal is a {@link RefusedByFilterException}, as in {@code filter 'filter' (entry
 * 2003): connect to 10.1.2.3:80 refused by rule deny 10.0.0.0/8}; nothing was sent. A refused
 * accepted connection is closed with a reset. Receives are not filtered: a datagram socket that
 * must hear only allowed peers connects to one.
 *
 * <h2>Settings</h2>
 *
 * <ul>
 *   <li>{@code allow}: the rules of which one must cover a peer; default none (every peer not
 *       denied);
 *   <li>{@code deny}: the rules of which none may cover a peer; default none.
 * </ul>
 *
 * A malformed rule is refused at load, naming the setting and the rule.
 *
 * <p>This class is thread-safe.
 */
@ProviderInfo(
    id = "d81a9657-1386-4303-9f07-6a91c7f4ca73",
    name = "filter",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description =
        "Refuses connects, accepts and sendTos to or from denied address ranges and ports.",
    settings = {
      @SettingInfo(
          name = "allow",
          description = "comma-separated rules of which one must cover a peer; none for all"),
      @SettingInfo(
          name = "deny",
          description = "comma-separated rules of which none may cover a peer")
    })
public final class FilterLayer extends AbstractLayer {

  private volatile List<AddressRule> allow = List.of();
  private volatile List<AddressRule> deny = List.of();
  private volatile String name;

  /** Creates the layer; the runtime calls this. */
  public FilterLayer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    allow = rules("allow", context);
    deny = rules("deny", context);
    name = "filter '" + context.entry().name() + "' (entry " + context.entry().id() + ")";
  }

  private List<AddressRule> rules(String key, ProviderContext context) {
    List<AddressRule> rules = new ArrayList<>();
    for (String text : settings().get(key).orElse("").split(",", -1)) {
      String t = text.trim();
      if (t.isEmpty()) {
        continue;
      }
      try {
        rules.add(AddressRule.parse(t));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "setting '" + key + "' of " + context.entry() + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(rules);
  }

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    return new FilterSocket(this, below);
  }

  /**
   * Throws if the rules refuse {@code peer} for {@code operation}, described as {@code connect to}
   * or {@code accept from}.
   */
  void check(String operation, SocketAddress peer) throws RefusedByFilterException {
    List<AddressRule> denied = deny;
    List<AddressRule> allowed = allow;
    if (denied.isEmpty() && allowed.isEmpty()) {
      return;
    }
    if (!(peer instanceof InetSocketAddress) || ((InetSocketAddress) peer).isUnresolved()) {
      throw new RefusedByFilterException(
          name
              + ": "
              + operation
              + " "
              + peer
              + " refused: it is not a resolved IP address, and the rules cover only those",
          "unresolved");
    }
    InetSocketAddress given = (InetSocketAddress) peer;
    InetSocketAddress inet = AddressRule.reached(given);
    String target =
        inet.equals(given)
            ? format(given)
            : format(given) + " (which reaches " + format(inet) + ")";
    for (AddressRule r : denied) {
      if (r.matches(inet) || r.matches(given)) {
        throw new RefusedByFilterException(
            name + ": " + operation + " " + target + " refused by rule deny " + r, "deny " + r);
      }
    }
    if (allowed.isEmpty()) {
      return;
    }
    for (AddressRule r : allowed) {
      if (r.matches(inet)) {
        return;
      }
    }
    List<String> texts = new ArrayList<>();
    allowed.forEach(r -> texts.add(r.toString()));
    throw new RefusedByFilterException(
        name
            + ": "
            + operation
            + " "
            + target
            + " refused: no allow rule covers it (allow "
            + String.join(", ", texts)
            + ")",
        "allow");
  }

  private static String format(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
