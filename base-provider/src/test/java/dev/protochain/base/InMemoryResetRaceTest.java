package dev.protochain.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.protochain.base.LoadedProvider.Connection;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * An abortive close racing the peer's blocked receive, repeated: the peer must see the reset, never
 * an end of stream first. Before the pipes changed in one step, about one run in five returned -1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InMemoryResetRaceTest {

  @RepeatedTest(40)
  void anAbortiveCloseReachesABlockedPeerAsAResetEveryTime() throws Exception {
    try (LoadedProvider p = StreamTransport.MEMORY.load()) {
      Connection c = p.connect(p.listen());
      Blocking<Integer> receive =
          Blocking.start("receive", () -> c.server.receive(ByteBuffer.allocate(8)));
      c.client.setOption(StandardSocketOptions.SO_LINGER, 0);
      c.client.close();
      Throwable e = receive.failure();
      assertInstanceOf(SocketException.class, e);
      assertEquals("Connection reset", e.getMessage());
    }
  }
}
