package dev.protochain.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Netty 4.2 over its NIO transport with {@code depth} pass-through handlers on each side, two event
 * loops (one per side, as the other contenders use one thread per side). The client writes and
 * flushes each message on its event loop while the channel is writable.
 */
// Netty's handlers write and close without waiting on the futures, as Netty's own examples do: a
// benchmark's failed write shows as a failed or stalled iteration.
@SuppressWarnings("FutureReturnValueIgnored")
final class NettyContender implements TcpContender {

  private final int depth;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

  NettyContender(int depth) {
    this.depth = depth;
  }

  @Override
  public String name() {
    return "Netty 4.2 NIO (" + depth + " handlers)";
  }

  /** A handler that passes everything on, overriding what it passes so Netty cannot skip it. */
  static final class PassThrough extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      ctx.flush();
    }
  }

  private ChannelInitializer<SocketChannel> pipeline(Supplier<ChannelHandler> last) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        for (int i = 0; i < depth; i++) {
          p.addLast(new PassThrough());
        }
        p.addLast(last.get());
      }
    };
  }

  private Channel server(Supplier<ChannelHandler> handler) throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(pipeline(handler))
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .sync()
        .channel();
  }

  private Channel client(Channel server, Supplier<ChannelHandler> handler)
      throws InterruptedException {
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(pipeline(handler))
        .connect(server.localAddress())
        .sync()
        .channel();
  }

  @Override
  public double throughput(int size, long total) throws Exception {
    CompletableFuture<Long> read = new CompletableFuture<>();
    Channel server =
        server(
            () ->
                new ChannelInboundHandlerAdapter() {
                  long n;

                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    n += ((ByteBuf) msg).readableBytes();
                    ReferenceCountUtil.release(msg);
                  }

                  @Override
                  public void channelInactive(ChannelHandlerContext ctx) {
                    read.complete(n);
                  }
                });
    long messages = total / size;
    long[] start = new long[1];
    Channel client =
        client(
            server,
            () ->
                new ChannelInboundHandlerAdapter() {
                  long sent;

                  @Override
                  public void channelActive(ChannelHandlerContext ctx) {
                    start[0] = System.nanoTime();
                    writeMore(ctx);
                  }

                  @Override
                  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                    writeMore(ctx);
                  }

                  private void writeMore(ChannelHandlerContext ctx) {
                    while (sent < messages && ctx.channel().isWritable()) {
                      ByteBuf msg = ctx.alloc().buffer(size);
                      msg.writerIndex(size);
                      sent++;
                      if (sent == messages) {
                        ctx.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
                      } else {
                        ctx.writeAndFlush(msg);
                      }
                    }
                  }
                });
    try {
      long n = read.get(5, TimeUnit.MINUTES);
      long nanos = System.nanoTime() - start[0];
      if (n != messages * size) {
        throw new IllegalStateException(
            name() + " delivered " + n + " of " + messages * size + " bytes");
      }
      return n / (1024.0 * 1024.0) / (nanos / 1e9);
    } finally {
      client.close().sync();
      server.close().sync();
    }
  }

  @Override
  public long[] pingPong(int warmup, int count) throws Exception {
    Channel server =
        server(
            () ->
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ctx.writeAndFlush(msg);
                  }
                });
    long[] latencies = new long[count];
    CompletableFuture<Void> done = new CompletableFuture<>();
    Channel client =
        client(
            server,
            () ->
                new ChannelInboundHandlerAdapter() {
                  int i = -warmup;
                  int received;
                  long t0;

                  @Override
                  public void channelActive(ChannelHandlerContext ctx) {
                    ping(ctx);
                  }

                  private void ping(ChannelHandlerContext ctx) {
                    ByteBuf msg = ctx.alloc().buffer(64);
                    msg.writerIndex(64);
                    t0 = System.nanoTime();
                    ctx.writeAndFlush(msg);
                  }

                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    received += ((ByteBuf) msg).readableBytes();
                    ReferenceCountUtil.release(msg);
                    if (received < 64) {
                      return;
                    }
                    received -= 64;
                    if (i >= 0) {
                      latencies[i] = System.nanoTime() - t0;
                    }
                    if (++i < count) {
                      ping(ctx);
                    } else {
                      done.complete(null);
                    }
                  }
                });
    try {
      done.get(2, TimeUnit.MINUTES);
      return latencies;
    } finally {
      client.close().sync();
      server.close().sync();
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
