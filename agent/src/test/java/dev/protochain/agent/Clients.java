package dev.protochain.agent;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Unmodified network clients, each run in a JVM of its own by {@link AgentIT}, with and without the
 * agent: {@code Clients MODE TARGET OUT} writes what the client received to {@code OUT} and exits
 * 0, or prints {@code FAILED} and the exception chain and exits 2. Nothing here knows of
 * protochain.
 */
public final class Clients {

  /** The 1 MiB body of the POST: the same bytes in every run. */
  static byte[] postBody() {
    byte[] body = new byte[1 << 20];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31 + (i >>> 8));
    }
    return body;
  }

  private Clients() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String target = args[1];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long start = System.nanoTime();
    try {
      switch (mode) {
        case "httpclient" -> httpClient(target, out);
        case "urlconnection" -> urlConnection(target, out);
        case "netty" -> netty(target, out);
        case "jdbc" -> jdbc(target, out);
        case "peer" -> peer(target, out);
        case "twice" -> twice(target, Path.of(args[2]), out);
        default -> throw new IllegalArgumentException(mode);
      }
    } catch (Exception e) {
      StringBuilder chain = new StringBuilder("FAILED after ");
      chain.append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).append(" ms:");
      for (Throwable t = e; t != null; t = t.getCause()) {
        chain.append(' ').append(t.getClass().getName());
        chain.append(t instanceof IOException ? "(io)" : "");
      }
      System.out.println(chain);
      e.printStackTrace(System.out);
      System.out.flush();
      System.exit(2);
    }
    Files.write(Path.of(args[2]), out.toByteArray());
  }

  /** A GET and a 1 MiB POST with the JDK's HttpClient (NIO, non-blocking, its own selector). */
  private static void httpClient(String base, ByteArrayOutputStream out) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpResponse<byte[]> get =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/get"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    out.write(("GET " + get.statusCode() + "\n").getBytes(StandardCharsets.UTF_8));
    out.write(get.body());
    HttpResponse<byte[]> post =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/post"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(postBody()))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    out.write(("\nPOST " + post.statusCode() + "\n").getBytes(StandardCharsets.UTF_8));
    out.write(post.body());
    if (client instanceof AutoCloseable) { // JDK 21 and later close their connections
      ((AutoCloseable) client).close();
    }
  }

  /**
   * A GET with HttpURLConnection, then, once it has written {@code OUT.first}, another when {@code
   * OUT.go} appears (within 60 s): one program whose two connections a test can put a change
   * between.
   */
  private static void twice(String base, Path outFile, ByteArrayOutputStream out) throws Exception {
    urlConnection(base, out);
    Files.writeString(Path.of(outFile + ".first"), "first GET done\n");
    Path go = Path.of(outFile + ".go");
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        !Files.exists(go) && System.nanoTime() < end; ) {
      Thread.sleep(20);
    }
    urlConnection(base, out);
  }

  /** A GET with HttpURLConnection (java.net.Socket underneath). */
  private static void urlConnection(String base, ByteArrayOutputStream out) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(base + "/get").toURL().openConnection();
    c.setConnectTimeout(5_000);
    c.setReadTimeout(5_000);
    out.write(("GET " + c.getResponseCode() + "\n").getBytes(StandardCharsets.UTF_8));
    try (InputStream in = c.getInputStream()) {
      out.write(in.readAllBytes());
    }
    c.disconnect();
  }

  /** A GET with Netty's NIO transport and HttpClientCodec. */
  private static void netty(String base, ByteArrayOutputStream out) throws Exception {
    URI uri = URI.create(base + "/get");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      CompletableFuture<FullHttpResponse> response = new CompletableFuture<>();
      Bootstrap b =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(new HttpClientCodec())
                          .addLast(new HttpObjectAggregator(1 << 22))
                          .addLast(
                              new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override
                                protected void channelRead0(
                                    ChannelHandlerContext ctx, FullHttpResponse msg) {
                                  response.complete(msg.retain());
                                }

                                @Override
                                public void exceptionCaught(
                                    ChannelHandlerContext ctx, Throwable cause) {
                                  response.completeExceptionally(cause);
                                  var unused = ctx.close(); // the response carries the failure
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                  response.completeExceptionally(
                                      new java.nio.channels.ClosedChannelException());
                                }
                              });
                    }
                  });
      Channel ch = b.connect(uri.getHost(), uri.getPort()).sync().channel();
      DefaultFullHttpRequest request =
          new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri.getRawPath());
      request.headers().set(HttpHeaderNames.HOST, uri.getHost());
      var unused = ch.writeAndFlush(request); // a failed write shows as the response timing out
      FullHttpResponse r;
      try {
        r = response.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
      }
      out.write(("GET " + r.status().code() + "\n").getBytes(StandardCharsets.UTF_8));
      out.write(ByteBufUtil.getBytes(r.content()));
      r.release();
      ch.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  /**
   * The peer each kind of JDK socket reports: {@code java.net.Socket}, {@code SocketChannel}, and a
   * channel connected through its {@code Socket} adaptor.
   */
  private static void peer(String base, ByteArrayOutputStream out) throws IOException {
    URI uri = URI.create(base);
    java.net.InetSocketAddress server =
        new java.net.InetSocketAddress(uri.getHost(), uri.getPort());
    StringBuilder b = new StringBuilder();
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(server, 5_000);
      b.append("socket ").append(s.getInetAddress()).append(' ').append(s.getPort());
      b.append(' ').append(s.getRemoteSocketAddress()).append('\n');
    }
    try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(server)) {
      b.append("channel ").append(ch.getRemoteAddress()).append('\n');
    }
    try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open()) {
      ch.socket().connect(server, 5_000);
      b.append("adaptor ").append(ch.socket().getInetAddress()).append(' ');
      b.append(ch.socket().getPort()).append(' ').append(ch.getRemoteAddress()).append('\n');
    }
    // The server's port differs from run to run; any other port (the relay's) stays a number.
    String report = b.toString().replace(String.valueOf(uri.getPort()), "SERVER-PORT");
    out.write(report.getBytes(StandardCharsets.UTF_8));
  }

  /** A query with the PostgreSQL JDBC driver, with no socketFactory property. */
  private static void jdbc(String url, ByteArrayOutputStream out) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "select n, md5(n::text), repeat('x', n % 97) from generate_series(1, 2000) n")) {
      while (r.next()) {
        out.write(
            (r.getInt(1) + " " + r.getString(2) + " " + r.getString(3) + "\n")
                .getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
