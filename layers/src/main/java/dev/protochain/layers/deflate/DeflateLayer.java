package dev.protochain.layers.deflate;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import dev.protochain.layers.internal.HoldingSocket;
import dev.protochain.layers.internal.LayerTimer;
import java.io.IOException;
import java.time.Duration;

/**
 * Compresses stream sockets with {@code java.util.zip}, in frames of bounded size; both ends of a
 * connection run the layer.
 *
 * <h2>Frames</h2>
 *
 * <pre>
 * frame = length (4 bytes, big-endian, 1 to max-frame) | flags (1 byte) | block (length bytes)
 * flags = 0x00: the block is the bytes as written (stored)
 *         0x01: the block is one complete zlib stream (deflate with an Adler-32 check) of at
 *               most max-frame bytes as written
 * </pre>
 *
 * Each frame is compressed on its own, so a frame never depends on an earlier one; a block that
 * would not shrink is stored. Bytes written are held until {@code max-frame} of them gather, {@code
 * delay} passes, the application flushes, shuts its output down or closes; a receive that finds no
 * decompressed byte waiting sends them at once, so a request always leaves before its reply is
 * awaited: itself when the receiving thread wrote every byte held, otherwise through a sender
 * thread of the layer, so that a thread that only receives never blocks on a send.
 *
 * <p>A frame is checked before anything is allocated for it: a length of 0 or over {@code
 * max-frame}, unknown flags, data that is not a zlib stream, a stream that inflates to more than
 * {@code max-frame} bytes, bytes after the stream or a connection ending inside a frame is a {@link
 * java.net.ProtocolException} naming the layer's entry, the frame's number and the bound, such as
 * {@code layer 'deflate' (entry 2001): frame 3 declares a block of 1048576 bytes, over the bound of
 * 65536 (setting 'max-frame')}. The input side stays failed from then on. Each socket allocates its
 * buffers (about four times {@code max-frame}) once, on first use; both ends must use a {@code
 * max-frame} at least as large as the peer's.
 *
 * <h2>Closing</h2>
 *
 * As in {@code coalesce}: a graceful close with linger off returns at once and the held bytes are
 * sent when the delay passes or, at the latest, at the layer's final cleanup; linger 0 drops them
 * and resets the connection; linger above 0 sends them before the close returns.
 *
 * <p>Datagram sockets pass through unchanged: a datagram is already one bounded message, and
 * compressing each would gain little for small ones while both ends would have to agree per
 * datagram.
 *
 * <h2>Settings</h2>
 *
 * <ul>
 *   <li>{@code level}: the compression level, 0 (none, every frame stored) to 9;
 *   <li>{@code max-frame}: the most bytes a frame carries, as written and on the wire, 256 to
 *       8388608;
 *   <li>{@code delay}: the longest time a written byte is held; {@code 0} compresses and sends
 *       every write at once. With a delay the layer runs a timer thread per load, and sender
 *       threads as sends need them, one per socket sending, all stopped at unload.
 * </ul>
 *
 * <p>Each setting's default is the {@code defaultValue} of its {@code @SettingInfo} below ({@code
 * protochain catalog layers} lists them).
 *
 * <p>This class is thread-safe.
 */
@ProviderInfo(
    id = "f28f8f13-af6a-48f1-8189-17b1b62ef527",
    name = "deflate",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description = "Compresses stream sockets in bounded zlib frames; datagrams pass through.",
    settings = {
      @SettingInfo(
          name = "level",
          defaultValue = "6",
          description = "compression level, 0 (stored) to 9"),
      @SettingInfo(
          name = "max-frame",
          defaultValue = "65536",
          description = "most bytes per frame, as written and on the wire (256 to 8388608)"),
      @SettingInfo(
          name = "delay",
          defaultValue = "10ms",
          description = "longest time a written byte is held; 0 sends every write at once")
    })
public final class DeflateLayer extends AbstractLayer {

  /** The smallest {@code max-frame}. */
  public static final int MIN_FRAME = 256;

  /** The largest {@code max-frame}. */
  public static final int MAX_FRAME = 8 << 20;

  private volatile int level;
  private volatile int maxFrame;
  private volatile HoldingSocket.Owner owner;

  /** Creates the layer; the runtime calls this. */
  public DeflateLayer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    level = settings().getInt("level", 0, 9);
    maxFrame = settings().getInt("max-frame", MIN_FRAME, MAX_FRAME);
    Duration delay = settings().getDuration("delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException(
          "setting 'delay' of "
              + context.entry()
              + " = '"
              + settings().getString("delay")
              + "' is negative (expected: 0 or more)");
    }
    CatalogEntry e = context.entry();
    LayerTimer timer = delay.isZero() ? null : LayerTimer.start("deflate", context);
    owner =
        new HoldingSocket.Owner(
            timer,
            delay,
            this::linger,
            this::unlinger,
            "layer '" + e.name() + "' (entry " + e.id() + ")");
  }

  @Override
  protected void onUnload() throws IOException {
    HoldingSocket.Owner o = owner;
    if (o != null) {
      LayerTimer.stop(o.timer(), "deflate", context().entry());
    }
  }

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    if (below.type() != SocketType.STREAM) {
      return below; // datagrams pass through: see the class comment
    }
    return new DeflateSocket(this, below, false);
  }

  int level() {
    return level;
  }

  int maxFrame() {
    return maxFrame;
  }

  HoldingSocket.Owner owner() {
    return owner;
  }
}
