package dev.protochain.agent;

import dev.protochain.agent.boot.Hook;
import java.net.InetAddress;
import java.net.SocketAddress;
import net.bytebuddy.asm.Advice;

/**
 * The advice inlined into the JDK's socket classes. Its code runs as part of {@code java.base}, so
 * it touches nothing but {@link Hook} and JDK types.
 */
final class Advices {

  private Advices() {}

  /**
   * On {@code SocketChannelImpl.connect}, {@code blockingConnect} and {@code
   * NioSocketImpl.connect}.
   */
  static final class Connect {
    private Connect() {}

    @Advice.OnMethodEnter
    static void enter(
        @Advice.This Object self,
        @Advice.Argument(value = 0, readOnly = false) SocketAddress target) {
      Hook.Handler h = Hook.handler;
      if (h != null) {
        target = h.connect(self, target);
      }
    }
  }

  /** On {@code SocketChannelImpl.getRemoteAddress} and {@code remoteAddress}. */
  static final class RemoteAddress {
    private RemoteAddress() {}

    @Advice.OnMethodExit
    static void exit(
        @Advice.This Object self, @Advice.Return(readOnly = false) SocketAddress reported) {
      Hook.Handler h = Hook.handler;
      if (h != null && reported != null) {
        reported = h.remoteAddress(self, reported);
      }
    }
  }

  /** On {@code SocketImpl.getInetAddress}. */
  static final class InetAddressOf {
    private InetAddressOf() {}

    @Advice.OnMethodExit
    static void exit(
        @Advice.This Object self, @Advice.Return(readOnly = false) InetAddress reported) {
      Hook.Handler h = Hook.handler;
      if (h != null && reported != null) {
        reported = h.inetAddress(self, reported);
      }
    }
  }

  /** On {@code SocketImpl.getPort}. */
  static final class PortOf {
    private PortOf() {}

    @Advice.OnMethodExit
    static void exit(@Advice.This Object self, @Advice.Return(readOnly = false) int reported) {
      Hook.Handler h = Hook.handler;
      if (h != null) {
        reported = h.port(self, reported);
      }
    }
  }
}
