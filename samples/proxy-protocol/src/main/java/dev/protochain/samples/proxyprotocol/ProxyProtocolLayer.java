package dev.protochain.samples.proxyprotocol;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;

/**
 * Speaks the HAProxy PROXY protocol, version 1: a socket that connects first sends one text line
 * naming the connection's source and destination ({@code PROXY TCP4 10.0.0.7 10.0.0.1 51234 443});
 * a socket that was accepted reads that line before anything else and reports the source it names
 * as its {@link ChainSocket#remoteAddress()}. Load balancers, mail and web servers use it to keep
 * the real client's address behind a relay.
 *
 * <p>Settings: {@code send} ({@code true}: connecting sockets send the header) and {@code expect}
 * ({@code true}: accepted sockets require it, and a missing or malformed header is an {@link
 * dev.protochain.api.spi.HandshakeException} naming the peer, what it sent and what was wrong).
 * Datagram sockets pass through unchanged.
 *
 * <p>It is written against {@code protochain-api} alone, like any plugin, on the api's protocol kit
 * ({@link dev.protochain.api.spi.HandshakeSocket}).
 */
@ProviderInfo(
    id = "5c588703-53c3-4d57-9355-4c8f4eae5db7",
    name = "proxy-protocol",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description = "Sends and reads the HAProxy PROXY protocol v1 header.",
    settings = {
      @SettingInfo(
          name = "send",
          defaultValue = "true",
          description = "connecting sockets send the header"),
      @SettingInfo(
          name = "expect",
          defaultValue = "true",
          description = "accepted sockets read and require it")
    })
public final class ProxyProtocolLayer extends AbstractLayer {

  private volatile boolean send;
  private volatile boolean expect;

  /** Creates the layer; the runtime calls this. */
  public ProxyProtocolLayer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    send = settings().getBoolean("send");
    expect = settings().getBoolean("expect");
  }

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    if (below.type() != SocketType.STREAM) {
      return below;
    }
    return new ProxyProtocolSocket(below, layerLabel(), send, expect);
  }
}
