package dev.protochain.benchmarks;

import dev.protochain.runtime.internal.Threads;
import dev.protochain.runtime.scale.ScaleNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline nodes of the {@code scale} part, each a JVM of its own, writing its report with
 * {@link ScaleNode} (protochain's nodes are {@link ScaleNode}'s own): {@code nio server REPORT
 * PORTFILE} and {@code nio client REPORT PORT N ROUNDS SIZE HOLDMILLIS}, raw blocking {@code
 * SocketChannel}s on one virtual thread per connection, driven by {@link ScaleNode#drive}; {@code
 * netty server|client ...}, Netty 4.2 on its NIO transport with {@value #HANDLERS} pass-through
 * handlers, one event loop per core, the same echoes driven from the event loops.
 */
// Netty's handlers write and close without waiting on the futures, as Netty's own examples do: a
// benchmark's failed write shows as a failed or stalled iteration.
@SuppressWarnings("FutureReturnValueIgnored")
final class ScaleNodes {

  /** The layers of protochain's scale chain, and so the pass-through handlers of Netty's. */
  static final int HANDLERS = 3;

  /**
   * Netty's event loops per node: one per core, the parallelism of the virtual-thread scheduler the
   * other contenders run on (Netty's default, two per core, measured slower on 2 cores).
   */
  private static final int LOOPS = Runtime.getRuntime().availableProcessors();

  private ScaleNodes() {}

  public static void main(String[] args) throws Exception {
    ScaleNode.run(
        Path.of(args[2]),
        out -> {
          boolean server = args[1].equals("server");
          if (server) {
            Path portFile = Path.of(args[3]);
            if (args[0].equals("nio")) {
              nioServer(portFile, out);
            } else {
              nettyServer(portFile, out);
            }
            return;
          }
          int port = Integer.parseInt(args[3]);
          int n = Integer.parseInt(args[4]);
          int rounds = Integer.parseInt(args[5]);
          int size = Integer.parseInt(args[6]);
          long hold = Long.parseLong(args[7]);
          if (args[0].equals("nio")) {
            ScaleNode.drive(
                ScaleNodes::nioConnect,
                Threads.byDefault("scale-nio"),
                port,
                n,
                rounds,
                size,
                hold,
                plateau -> {},
                out);
          } else {
            nettyClient(port, n, rounds, size, hold, out);
          }
        });
  }

  /* ---- raw NIO ---- */

  private static void nioServer(Path portFile, Map<String, String> out) throws Exception {
    ThreadFactory threads = Threads.byDefault("scale-nio");
    AtomicInteger errors = new AtomicInteger();
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      listener.bind(new InetSocketAddress("127.0.0.1", 0), 16384);
      ScaleNode.writePort(portFile, ((InetSocketAddress) listener.getLocalAddress()).getPort());
      Thread acceptor =
          new Thread(
              () -> {
                while (true) {
                  java.nio.channels.SocketChannel s;
                  try {
                    s = listener.accept();
                  } catch (IOException e) {
                    return; // closed at the end
                  }
                  threads
                      .newThread(
                          () -> {
                            try (s) {
                              s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                              ByteBuffer buf = ByteBuffer.allocate(8192);
                              while (s.read(buf.clear()) >= 0) {
                                buf.flip();
                                while (buf.hasRemaining()) {
                                  s.write(buf);
                                }
                              }
                            } catch (IOException e) {
                              errors.incrementAndGet();
                            }
                          })
                      .start();
                }
              },
              "scale-acceptor");
      acceptor.start();
      ScaleNode.serveUntilInputEnds();
      listener.close();
      acceptor.join(10_000);
    }
    out.put("errors", String.valueOf(errors.get()));
  }

  private static ScaleNode.Connection nioConnect(InetSocketAddress server) throws IOException {
    java.nio.channels.SocketChannel s = java.nio.channels.SocketChannel.open(server);
    s.setOption(StandardSocketOptions.TCP_NODELAY, true);
    return new ScaleNode.Connection() {
      @Override
      public void sendFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
          s.write(src);
        }
      }

      @Override
      public boolean receiveFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
          if (s.read(dst) < 0) {
            return false;
          }
        }
        return true;
      }

      @Override
      public void shutdownOutput() throws IOException {
        s.shutdownOutput();
      }

      @Override
      public void close() throws IOException {
        s.close();
      }
    };
  }

  /* ---- Netty ---- */

  private static ChannelInitializer<SocketChannel> pipeline(ChannelHandler last) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        for (int i = 0; i < HANDLERS; i++) {
          ch.pipeline().addLast(new NettyContender.PassThrough());
        }
        ch.pipeline().addLast(last);
      }
    };
  }

  @ChannelHandler.Sharable
  private static final class EchoHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static void nettyServer(Path portFile, Map<String, String> out) throws Exception {
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(LOOPS, NioIoHandler.newFactory());
    try {
      Channel listener =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 16384)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(pipeline(new EchoHandler()))
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
      ScaleNode.writePort(portFile, ((InetSocketAddress) listener.localAddress()).getPort());
      ScaleNode.serveUntilInputEnds();
      listener.close().sync();
    } finally {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    out.put("errors", "0");
  }

  /**
   * The client of {@link ScaleNode#drive}, event-driven: {@code n} channels connected and held,
   * then each sends its echoes one after the other from its event loop, checks them and closes.
   */
  private static void nettyClient(
      int port, int n, int rounds, int size, long holdMillis, Map<String, String> out)
      throws Exception {
    ScaleNode.Sampler sampler = new ScaleNode.Sampler();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(LOOPS, NioIoHandler.newFactory());
    AtomicInteger errors = new AtomicInteger();
    AtomicLong verified = new AtomicLong();
    long[] roundTrips = new long[n * rounds];
    CountDownLatch connected = new CountDownLatch(n);
    CountDownLatch done = new CountDownLatch(n);
    List<Echoes> all = new ArrayList<>(n);
    try {
      sampler.start();
      Bootstrap bootstrap =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .option(ChannelOption.TCP_NODELAY, true);
      InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
      ScaleNode.baseline(() -> warmConnection(bootstrap, server, size), out);
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        Echoes echoes = new Echoes(i, rounds, size, roundTrips, verified, errors, done);
        all.add(echoes);
        ChannelFuture f = bootstrap.clone().handler(pipeline(echoes)).connect(server);
        f.addListener(
            x -> {
              if (!x.isSuccess()) {
                errors.incrementAndGet();
                echoes.finish();
              }
              connected.countDown();
            });
      }
      if (!connected.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException(connected.getCount() + " connections never connected");
      }
      long connectNanos = System.nanoTime() - start;
      sampler.resetPeak();
      Thread.sleep(holdMillis);
      out.put("plateauPlatformThreads", String.valueOf(sampler.peakThreads()));
      out.put("plateauRssKiB", String.valueOf(ScaleNode.rssAfterGcKiB()));
      long echoStart = System.nanoTime();
      for (Echoes e : all) {
        e.start();
      }
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException(done.getCount() + " connections never finished");
      }
      long echoNanos = System.nanoTime() - echoStart;
      sampler.stop();
      ScaleNode.recordEchoes(out, n, connectNanos, echoNanos, roundTrips);
      out.put("errors", String.valueOf(errors.get()));
      out.put("verifiedEchoes", String.valueOf(verified.get()));
      out.put("peakPlatformThreads", String.valueOf(sampler.peakThreads()));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** The warm connection of {@link ScaleNode#baseline}: one channel, one echo, closed. */
  private static void warmConnection(Bootstrap bootstrap, InetSocketAddress server, int size)
      throws Exception {
    AtomicInteger errors = new AtomicInteger();
    AtomicLong verified = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    Echoes echoes = new Echoes(0, 1, size, new long[1], verified, errors, done);
    Channel channel = bootstrap.clone().handler(pipeline(echoes)).connect(server).sync().channel();
    echoes.start();
    if (!done.await(1, TimeUnit.MINUTES)) {
      throw new IllegalStateException("the warm connection never finished");
    }
    channel.closeFuture().sync();
    if (errors.get() != 0 || verified.get() != 1) {
      throw new IOException("the warm connection failed its echo");
    }
  }

  /** One connection's echoes: each message filled with one byte value, checked as it returns. */
  private static final class Echoes extends ChannelInboundHandlerAdapter {
    private final int connection;
    private final int rounds;
    private final int size;
    private final long[] roundTrips;
    private final AtomicLong verified;
    private final AtomicInteger errors;
    private final CountDownLatch done;
    private volatile ChannelHandlerContext ctx;
    private int round;
    private int received;
    private boolean intact;
    private long t0;
    private volatile boolean finished;

    Echoes(
        int connection,
        int rounds,
        int size,
        long[] roundTrips,
        AtomicLong verified,
        AtomicInteger errors,
        CountDownLatch done) {
      this.connection = connection;
      this.rounds = rounds;
      this.size = size;
      this.roundTrips = roundTrips;
      this.verified = verified;
      this.errors = errors;
      this.done = done;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    void start() {
      ChannelHandlerContext c = ctx;
      if (c != null) {
        c.executor().execute(this::send);
      }
    }

    private byte value() {
      return (byte) (connection * 31 + round);
    }

    private void send() {
      if (finished) {
        return;
      }
      ByteBuf msg = ctx.alloc().buffer(size, size);
      byte v = value();
      for (int k = 0; k < size; k++) {
        msg.writeByte(v);
      }
      received = 0;
      intact = true;
      t0 = System.nanoTime();
      ctx.writeAndFlush(msg);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        byte v = value();
        intact &= in.forEachByte(b -> b == v) < 0;
        received += in.readableBytes();
      } finally {
        ReferenceCountUtil.release(msg);
      }
      if (received < size) {
        return;
      }
      roundTrips[connection * rounds + round] = System.nanoTime() - t0;
      if (received != size || !intact) {
        errors.incrementAndGet();
        ctx.close();
        return;
      }
      verified.incrementAndGet();
      if (++round < rounds) {
        send();
      } else {
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (round < rounds) {
        errors.incrementAndGet();
      }
      finish();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    void finish() {
      synchronized (this) {
        if (finished) {
          return;
        }
        finished = true;
      }
      done.countDown();
    }
  }
}
