package example;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.*;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/** Frames the stream as a 4-byte length and that many bytes, once both ends greeted as "GREET <version>". */
@ProviderInfo(id = "b7d6c3a1-2f4e-4a8b-9c0d-5e6f7a8b9c01", name = "greet", kind = EntryKind.LAYER,
    settings = @SettingInfo(name = "version", defaultValue = "1", description = "the version both ends greet with"))
public final class GreetLayer extends AbstractLayer {
  static final int MAX = 65536;                                   // the most bytes one frame carries
  private volatile int version;

  @Override protected void onLoad(ProviderContext context) {
    version = settings().getInt("version", 1, 99);
  }

  @Override public ChainSocket wrap(ChainSocket below, StartupContext context) {
    return below.type() == SocketType.STREAM ? new GreetSocket(below) : below;   // datagrams pass
  }

  private final class GreetSocket extends FramedSocket {
    GreetSocket(ChainSocket below) { super(below, layerLabel()); }

    @Override protected HandshakeSocket newAccepted(ChainSocket accepted) { return new GreetSocket(accepted); }

    @Override protected Duration handshakeTimeout() { return Duration.ofSeconds(5); }

    @Override protected void connecting(Exchange ex) throws IOException { greet(ex); }

    @Override protected void accepting(Exchange ex) throws IOException { greet(ex); }

    private void greet(Exchange ex) throws IOException {    // both ends send, then check the other's
      ex.step("the greeting");
      ex.send("GREET " + version + "\r\n");
      String line = ex.readUntil("\r\n", 16);
      if (!line.equals("GREET " + version)) throw ex.refused("expected GREET " + version);
    }

    @Override protected int maxFrameLength() { return 4 + MAX; }

    @Override protected long frameLength(ByteBuffer in) {         // -k: k more bytes before we know
      return in.remaining() < 4 ? -(4 - in.remaining()) : 4 + (in.getInt(in.position()) & 0xffffffffL);
    }

    @Override protected ByteBuffer decode(ByteBuffer frame) { return frame.position(frame.position() + 4); }

    @Override protected void encode(ByteBuffer src, ByteBuffer out) {
      int n = Math.min(src.remaining(), MAX);
      out.putInt(n).put(4, src, src.position(), n).position(4 + n);
      src.position(src.position() + n);
    }
  }
}
