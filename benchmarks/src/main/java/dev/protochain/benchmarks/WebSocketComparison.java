package dev.protochain.benchmarks;

import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.layers.websocket.WebSocketLayer;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The {@code websocket} layer against Netty's WebSocket codec ({@code netty-codec-http}: {@code
 * WebSocketClientProtocolHandler} and {@code WebSocketServerProtocolHandler} over its NIO
 * transport), over TCP on 127.0.0.1, alternating rounds in one run: after the upgrade, the client
 * sends 64 KiB binary messages (masked, as a client must) and the server reads them; the measure is
 * the throughput of the application's bytes, from the first message to the last one read. One
 * thread per side on both: protochain's blocking sockets, and one event loop per side for Netty,
 * whose client writes while its channel is writable (1 MiB of room). Run: {@code benchmarks/run
 * --only websocket}.
 */
final class WebSocketComparison {

  static final int MESSAGE = 64 * 1024;
  static final String PATH = "/bench";

  private WebSocketComparison() {}

  static void run(Report report, boolean quick) throws Exception {
    int rounds = quick ? 3 : 9;
    long bytes = (quick ? 128L : 1024L) << 20; // a second or more a round: shorter ones spread
    byte[] payload = new byte[MESSAGE];
    new Random(6455).nextBytes(payload);
    List<Double> layer = new ArrayList<>();
    List<Double> netty = new ArrayList<>();
    ExecutorService pool = Executors.newCachedThreadPool();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try (ChainRuntime runtime = runtime()) {
      // A round not counted: compiles each side's code, so that the first counted one is no
      // outlier.
      chain(runtime, bytes / 4, payload, pool);
      netty(group, bytes / 4, payload);
      for (int round = 0; round < rounds; round++) {
        if (round % 2 == 0) {
          layer.add(chain(runtime, bytes, payload, pool));
          netty.add(netty(group, bytes, payload));
        } else {
          netty.add(netty(group, bytes, payload));
          layer.add(chain(runtime, bytes, payload, pool));
        }
        report.progress(
            String.format(
                java.util.Locale.ROOT,
                "websocket round %d: layer %.0f MiB/s, Netty %.0f MiB/s",
                round + 1,
                layer.get(round),
                netty.get(round)));
      }
    } finally {
      pool.shutdownNow();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    report.roundsRow(
        "websocket layer vs Netty WebSocket codec throughput (64 KiB binary messages, client to"
            + " server)",
        Report.mibs(layer),
        Report.mibs(netty),
        layer,
        netty,
        0.90,
        true);
  }

  private static ChainRuntime runtime() throws Exception {
    ProviderDescriptor ws = ProviderDescriptor.of(WebSocketLayer.class);
    Catalog c = Catalog.builtin().install(ws, Map.of("path", PATH), List.of(1001)).catalog();
    return ChainRuntime.builder()
        .name("websocket-comparison")
        .catalog(c.checkValid("websocket comparison catalog"))
        .shutdownHook(false)
        .build();
  }

  /** protochain on both ends, [websocket, tcp4], as the other layer comparisons run. */
  private static double chain(
      ChainRuntime runtime, long total, byte[] payload, ExecutorService pool) throws Exception {
    return Comparisons.chain(runtime, "websocket-tcp4", total, payload, pool);
  }

  /** Netty's codec on both ends; returns MiB/s of application bytes. */
  private static double netty(EventLoopGroup group, long total, byte[] payload) throws Exception {
    CompletableFuture<Long> read = new CompletableFuture<>();
    WebSocketServerProtocolConfig serverConfig =
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(PATH)
            .maxFramePayloadLength(1 << 20)
            .build();
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(8192))
                        .addLast(new WebSocketServerProtocolHandler(serverConfig))
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              long n;

                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof BinaryWebSocketFrame f) {
                                  n += f.content().readableBytes();
                                }
                                ReferenceCountUtil.release(msg);
                              }

                              @Override
                              public void channelInactive(ChannelHandlerContext ctx) {
                                read.complete(n);
                              }
                            });
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .sync()
            .channel();
    InetSocketAddress address = (InetSocketAddress) server.localAddress();
    WebSocketClientProtocolConfig clientConfig =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(new URI("ws://127.0.0.1:" + address.getPort() + PATH))
            .version(WebSocketVersion.V13)
            .maxFramePayloadLength(1 << 20)
            .build();
    long messages = total / payload.length;
    long[] start = new long[1];
    Channel client =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            // Room for several messages in flight, as the kernel's send buffer gives the blocking
            // client: with the default high mark of 64 KiB each message would wait for the last.
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 << 10, 1 << 20))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(8192))
                        .addLast(new WebSocketClientProtocolHandler(clientConfig))
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              long sent;
                              boolean upgraded;

                              @Override
                              public void userEventTriggered(ChannelHandlerContext ctx, Object e) {
                                if (e
                                    == WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                                        .HANDSHAKE_COMPLETE) {
                                  upgraded = true;
                                  start[0] = System.nanoTime();
                                  writeMore(ctx);
                                }
                                ctx.fireUserEventTriggered(e);
                              }

                              @Override
                              public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                                if (upgraded) {
                                  writeMore(ctx);
                                }
                              }

                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof WebSocketFrame) {
                                  ReferenceCountUtil.release(msg);
                                } else {
                                  ctx.fireChannelRead(msg);
                                }
                              }

                              private void writeMore(ChannelHandlerContext ctx) {
                                while (sent < messages && ctx.channel().isWritable()) {
                                  sent++;
                                  BinaryWebSocketFrame f =
                                      new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload));
                                  if (sent == messages) {
                                    ctx.writeAndFlush(f).addListener(ChannelFutureListener.CLOSE);
                                  } else {
                                    // a failed write closes the channel; check() sees it short
                                    var unused = ctx.writeAndFlush(f);
                                  }
                                }
                              }
                            });
                  }
                })
            .connect(address)
            .sync()
            .channel();
    try {
      long n = read.get(5, TimeUnit.MINUTES);
      long nanos = System.nanoTime() - start[0];
      Comparisons.check("Netty WebSocket", n, messages * payload.length);
      return n / (1024.0 * 1024.0) / (nanos / 1e9);
    } finally {
      client.close().sync();
      server.close().sync();
    }
  }
}
