package dev.protochain.layers.internal;

import dev.protochain.api.ChainSocket;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;

/** Small steps the stock layers' sockets share. */
public final class Sockets {

  private Sockets() {}

  /**
   * Moves as many bytes as both buffers allow from {@code from} to {@code to}, advancing both
   * positions, and returns how many moved.
   */
  public static int transfer(ByteBuffer from, ByteBuffer to) {
    int n = Math.min(from.remaining(), to.remaining());
    int limit = from.limit();
    from.limit(from.position() + n);
    to.put(from);
    from.limit(limit);
    return n;
  }

  /** Returns {@code socket}'s {@code SO_LINGER} in seconds, or -1 when it is off or unknown. */
  public static int lingerSeconds(ChainSocket socket) {
    try {
      Integer linger = socket.getOption(StandardSocketOptions.SO_LINGER);
      return linger == null ? -1 : linger;
    } catch (IOException | UnsupportedOperationException e) {
      return -1;
    }
  }

  /**
   * Ends {@code socket} abortively: linger 0 (a reset, where the transport has one), then a close;
   * never throws, since the socket is gone either way.
   */
  public static void reset(ChainSocket socket) {
    try {
      socket.setOption(StandardSocketOptions.SO_LINGER, 0);
    } catch (IOException | RuntimeException alreadyClosed) {
      // Closing is what matters; a reset is the best effort.
    }
    try {
      socket.close();
    } catch (IOException | RuntimeException e) {
      // Nothing more to do.
    }
  }
}
