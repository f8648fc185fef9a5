package example;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.*;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Scrambles every byte with a key on the way out and unscrambles it on the way in. */
@ProviderInfo(id = "0e6b7f5e-3c1d-4d8a-9c52-6a1f0b7d2e11", name = "xor", kind = EntryKind.LAYER,
    settings = @SettingInfo(name = "key", defaultValue = "42", description = "the byte to xor with"))
public final class XorLayer extends AbstractLayer {
  private volatile byte key;

  @Override protected void onLoad(ProviderContext context) {
    key = (byte) settings().getInt("key", 0, 255);   // the default comes from @SettingInfo
  }

  @Override public ChainSocket wrap(ChainSocket below, StartupContext context) {
    return new XorSocket(below);
  }

  private final class XorSocket extends ForwardingSocket {   // every other operation passes through
    XorSocket(ChainSocket below) { super(below); }

    @Override protected ChainSocket wrapAccepted(ChainSocket accepted) { return new XorSocket(accepted); }

    @Override public int send(ByteBuffer src) throws IOException {
      ByteBuffer out = ByteBuffer.allocate(src.remaining());
      for (int i = src.position(); i < src.limit(); i++) out.put((byte) (src.get(i) ^ key));
      int n = super.send(out.flip());
      src.position(src.position() + n);
      return n;
    }

    @Override public int receive(ByteBuffer dst) throws IOException {
      int start = dst.position();
      int n = super.receive(dst);
      for (int i = start; i < start + Math.max(n, 0); i++) dst.put(i, (byte) (dst.get(i) ^ key));
      return n;
    }
  }
}
