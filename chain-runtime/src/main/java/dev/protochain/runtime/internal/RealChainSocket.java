package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.SocketType;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;

/**
 * The socket an application holds: the top socket of its chain, registered with the runtime so that
 * a provider's final cleanup can close it, and so that whatever that close makes an operation throw
 * reaches the application as {@code OPERATION_ABORTED}, exactly once per operation.
 */
final class RealChainSocket implements ChainSocket {

  private final OpenSockets sockets;
  private final CatalogEntry entry;
  private final ProviderSlot[] slots;
  private final ChainSocket top;
  private volatile String abortedBy;

  RealChainSocket(OpenSockets sockets, CatalogEntry entry, ProviderSlot[] slots, ChainSocket top) {
    this.sockets = sockets;
    this.entry = entry;
    this.slots = slots;
    this.top = top;
  }

  /**
   * Returns whether the socket passes through {@code slot}: the slot itself, not its entry id,
   * since a runtime following its catalog may hold an old and a new provider of one id at once.
   */
  boolean passesThrough(ProviderSlot slot) {
    for (ProviderSlot s : slots) {
      if (s == slot) {
        return true;
      }
    }
    return false;
  }

  CatalogEntry entry() {
    return entry;
  }

  /**
   * Marks the socket aborted by {@code provider}'s final cleanup; {@link #closeAborted} follows.
   */
  void markAborted(String provider) {
    abortedBy = provider;
  }

  void closeAborted() throws IOException {
    top.close();
  }

  private IOException translate(IOException e, String operation) {
    String by = abortedBy;
    if (by == null || ProtochainException.hasCode(e, ProtochainException.Code.OPERATION_ABORTED)) {
      return e;
    }
    return aborted(operation, by, e);
  }

  private RuntimeException translate(RuntimeException e, String operation)
      throws ProtochainException {
    String by = abortedBy;
    if (by == null) {
      return e;
    }
    throw aborted(operation, by, e);
  }

  private ProtochainException aborted(String operation, String by, Throwable cause) {
    return new ProtochainException(
        ProtochainException.Code.OPERATION_ABORTED,
        operation + " on a socket of " + entry + " aborted: " + by + " was cleaned up",
        cause);
  }

  @Override
  public SocketType type() {
    return top.type();
  }

  @Override
  public void bind(SocketAddress local) throws IOException {
    try {
      top.bind(local);
    } catch (IOException e) {
      throw translate(e, "bind");
    } catch (RuntimeException e) {
      throw translate(e, "bind");
    }
  }

  @Override
  public void listen(int backlog) throws IOException {
    try {
      top.listen(backlog);
    } catch (IOException e) {
      throw translate(e, "listen");
    } catch (RuntimeException e) {
      throw translate(e, "listen");
    }
  }

  @Override
  public ChainSocket accept() throws IOException {
    ChainSocket accepted;
    try {
      accepted = top.accept();
    } catch (IOException e) {
      throw translate(e, "accept");
    } catch (RuntimeException e) {
      throw translate(e, "accept");
    }
    if (accepted == null) {
      throw new IllegalStateException(
          top + " returned no socket from accept(); chain " + entry.chain());
    }
    RealChainSocket socket = sockets.register(new RealChainSocket(sockets, entry, slots, accepted));
    // Registered first, checked second: a concurrent final cleanup either sees the new socket or
    // has marked this listener, so the accepted socket is never left behind.
    String by = abortedBy;
    if (by != null) {
      sockets.deregister(socket);
      ProtochainException e = aborted("accept", by, null);
      try {
        accepted.close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return socket;
  }

  // Not the interface's default, which calls the method below: one frame fewer while the connect
  // parks, and a virtual thread's stack chunk is sized by where it parks deepest.
  @Override
  public void connect(SocketAddress remote) throws IOException {
    try {
      top.connect(remote, Duration.ZERO);
    } catch (IOException e) {
      throw translate(e, "connect");
    } catch (RuntimeException e) {
      throw translate(e, "connect");
    }
  }

  @Override
  public void connect(SocketAddress remote, Duration timeout) throws IOException {
    try {
      top.connect(remote, timeout);
    } catch (IOException e) {
      throw translate(e, "connect");
    } catch (RuntimeException e) {
      throw translate(e, "connect");
    }
  }

  @Override
  public int send(ByteBuffer src) throws IOException {
    try {
      return top.send(src);
    } catch (IOException e) {
      throw translate(e, "send");
    } catch (RuntimeException e) {
      throw translate(e, "send");
    }
  }

  @Override
  public int receive(ByteBuffer dst) throws IOException {
    try {
      int n = top.receive(dst);
      if (n < 0 && abortedBy != null) {
        throw aborted(
            "receive", abortedBy, null); // the end of stream came from the teardown, not the peer
      }
      return n;
    } catch (IOException e) {
      throw translate(e, "receive");
    } catch (RuntimeException e) {
      throw translate(e, "receive");
    }
  }

  @Override
  public int sendTo(ByteBuffer src, SocketAddress target) throws IOException {
    try {
      return top.sendTo(src, target);
    } catch (IOException e) {
      throw translate(e, "sendTo");
    } catch (RuntimeException e) {
      throw translate(e, "sendTo");
    }
  }

  @Override
  public SocketAddress receiveFrom(ByteBuffer dst) throws IOException {
    try {
      return top.receiveFrom(dst);
    } catch (IOException e) {
      throw translate(e, "receiveFrom");
    } catch (RuntimeException e) {
      throw translate(e, "receiveFrom");
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      top.flush();
    } catch (IOException e) {
      throw translate(e, "flush");
    } catch (RuntimeException e) {
      throw translate(e, "flush");
    }
  }

  @Override
  public void shutdownInput() throws IOException {
    try {
      top.shutdownInput();
    } catch (IOException e) {
      throw translate(e, "shutdownInput");
    } catch (RuntimeException e) {
      throw translate(e, "shutdownInput");
    }
  }

  @Override
  public void shutdownOutput() throws IOException {
    try {
      top.shutdownOutput();
    } catch (IOException e) {
      throw translate(e, "shutdownOutput");
    } catch (RuntimeException e) {
      throw translate(e, "shutdownOutput");
    }
  }

  @Override
  public void close() throws IOException {
    sockets.deregister(this);
    if (abortedBy != null) {
      return; // the final cleanup closed it already
    }
    top.close();
  }

  @Override
  public boolean isOpen() {
    return top.isOpen();
  }

  @Override
  public <T> ChainSocket setOption(SocketOption<T> name, T value) throws IOException {
    try {
      top.setOption(name, value);
      return this;
    } catch (IOException e) {
      throw translate(e, "setOption");
    }
  }

  @Override
  public <T> T getOption(SocketOption<T> name) throws IOException {
    try {
      return top.getOption(name);
    } catch (IOException e) {
      throw translate(e, "getOption");
    }
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return top.supportedOptions();
  }

  @Override
  public SocketAddress localAddress() throws IOException {
    try {
      return top.localAddress();
    } catch (IOException e) {
      throw translate(e, "localAddress");
    }
  }

  @Override
  public SocketAddress remoteAddress() throws IOException {
    try {
      return top.remoteAddress();
    } catch (IOException e) {
      throw translate(e, "remoteAddress");
    }
  }

  /** Returns {@code ChainSocket[entry 3001 'x' (chain [...]): TraceSocket -> ...]}. */
  @Override
  public String toString() {
    return "ChainSocket[" + entry + ": " + top + (abortedBy != null ? ", aborted" : "") + "]";
  }
}
