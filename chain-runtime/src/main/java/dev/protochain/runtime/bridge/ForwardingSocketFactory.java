package dev.protochain.runtime.bridge;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/** A socket factory that makes every socket with another factory, found once at construction. */
abstract class ForwardingSocketFactory extends SocketFactory {

  private final SocketFactory delegate;

  ForwardingSocketFactory(SocketFactory delegate) {
    this.delegate = delegate;
  }

  /** Returns the factory every socket comes from. */
  final SocketFactory delegate() {
    return delegate;
  }

  @Override
  public Socket createSocket() throws IOException {
    return delegate.createSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return delegate.createSocket(host, port);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return delegate.createSocket(host, port, localHost, localPort);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return delegate.createSocket(host, port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return delegate.createSocket(address, port, localAddress, localPort);
  }
}
