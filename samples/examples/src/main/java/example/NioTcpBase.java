package example;

import dev.protochain.api.*;
import dev.protochain.api.spi.*;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/** TCP over IPv4 in blocking java.nio channels: the skeleton tracks, closes and aborts sockets. */
@ProviderInfo(id = "5b1d0c3e-8f0a-4e57-9d1c-2a7e6f4b9c01", name = "nio-tcp", kind = EntryKind.BASE,
    entries = @BaseEntryInfo(id = 1201, name = "nio-tcp4", family = AddressFamily.INET,
        type = SocketType.STREAM, protocol = Protocol.TCP, flags = {ServiceFlag.GUARANTEED_DELIVERY,
            ServiceFlag.GUARANTEED_ORDER, ServiceFlag.GRACEFUL_CLOSE}))
public final class NioTcpBase extends AbstractBaseProvider {
  public NioTcpBase() {
    super("nio-tcp", EnumSet.of(AddressFamily.INET), EnumSet.of(SocketType.STREAM), Protocol.TCP);
  }

  @Override protected AbstractBaseSocket openSocket(ProviderScope scope, StartupContext context)
      throws IOException {
    return new NioSocket(scope, SocketChannel.open());
  }

  static final class NioSocket extends AbstractBaseSocket {
    private final SocketChannel channel;
    private volatile SocketAddress local;                // bind remembers; listen or connect binds
    private volatile ServerSocketChannel server;         // set by listen, under lock

    NioSocket(ProviderScope scope, SocketChannel channel) {
      super(scope);
      this.channel = channel;
    }

    @Override public SocketType type() { return SocketType.STREAM; }
    @Override public Set<SocketOption<?>> supportedOptions() {
      return Set.of(ChainSocketOptions.RECEIVE_TIMEOUT);
    }

    @Override public void bind(SocketAddress address) throws IOException {
      ensureOpen("bind");
      local = checkInet(address, "bind");
    }

    @Override public void listen(int backlog) throws IOException {
      ensureOpen("listen");
      ServerSocketChannel s = ServerSocketChannel.open();
      synchronized (lock) {                             // closeTransport reads server under lock
        if (!isOpenState()) { s.close(); ensureOpen("listen"); }
        server = s;
      }
      try {
        s.bind(local, backlog);
      } catch (IOException | RuntimeException e) {
        throw translate(e, "listen");
      }
    }

    @Override public ChainSocket accept() throws IOException {
      ensureOpen("accept");
      if (server == null) throw illegalState("accept", "not listening (expected: listen first)");
      try {
        SocketChannel accepted = server.accept();
        NioSocket socket = new NioSocket(scope(), accepted);
        scope().track(socket, "accept");                // closed by the provider's unload
        return socket;
      } catch (IOException | RuntimeException e) {
        throw translate(e, "accept");
      }
    }

    @Override public void connect(SocketAddress remote, Duration timeout) throws IOException {
      ensureOpen("connect");
      try {
        channel.bind(local);
        channel.socket().connect(checkInet(remote, "connect"), timeoutMillis(timeout));
      } catch (IOException | RuntimeException e) {
        throw translate(e, "connect");
      }
    }

    @Override public int send(ByteBuffer src) throws IOException {
      ensureOpen("send");
      try {
        return channel.write(src);                       // a blocking channel writes every byte
      } catch (IOException | RuntimeException e) {
        throw translate(e, "send");
      }
    }

    @Override public int receive(ByteBuffer dst) throws IOException {
      ensureOpen("receive");
      Duration timeout = receiveTimeout();
      try {
        if (timeout.isZero() || !dst.hasRemaining()) return channel.read(dst);
        channel.socket().setSoTimeout(timeoutMillis(timeout)); // honoured by the adaptor's stream
        byte[] bytes = new byte[dst.remaining()];
        int n = channel.socket().getInputStream().read(bytes);
        if (n > 0) dst.put(bytes, 0, n);
        return n;
      } catch (IOException | RuntimeException e) {
        throw translate(e, "receive");
      }
    }

    @Override public int sendTo(ByteBuffer src, SocketAddress target) {
      throw unsupported("sendTo", "a stream socket has no datagrams (expected: send)");
    }

    @Override public SocketAddress receiveFrom(ByteBuffer dst) {
      throw unsupported("receiveFrom", "a stream socket has no datagrams (expected: receive)");
    }

    @Override public void shutdownInput() throws IOException {
      ensureOpen("shutdownInput");
      try {
        channel.shutdownInput();
      } catch (IOException | RuntimeException e) {
        throw translate(e, "shutdownInput");
      }
    }

    @Override public void shutdownOutput() throws IOException {
      ensureOpen("shutdownOutput");
      try {
        channel.shutdownOutput();
      } catch (IOException | RuntimeException e) {
        throw translate(e, "shutdownOutput");
      }
    }

    @Override public SocketAddress localAddress() throws IOException {
      ServerSocketChannel s = server;
      SocketAddress bound = s != null ? s.getLocalAddress() : channel.getLocalAddress();
      return bound != null ? bound : local;
    }

    @Override public SocketAddress remoteAddress() throws IOException {
      return channel.getRemoteAddress();
    }

    @Override protected void closeTransport() throws IOException {  // SO_LINGER off: graceful
      ServerSocketChannel s;
      synchronized (lock) { s = server; }
      try (channel) {
        if (s != null) s.close();
      }
    }

    @Override protected String describeTransport() {
      ServerSocketChannel s = server;
      return s != null
          ? "listening " + format(s.socket().getLocalSocketAddress())
          : format(channel.socket().getLocalSocketAddress())
              + " -> " + format(channel.socket().getRemoteSocketAddress());
    }
  }
}
