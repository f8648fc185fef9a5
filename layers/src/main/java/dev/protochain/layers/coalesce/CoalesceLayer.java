package dev.protochain.layers.coalesce;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import dev.protochain.layers.internal.BufferPool;
import dev.protochain.layers.internal.HoldingSocket;
import dev.protochain.layers.internal.LayerTimer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Coalesces small writes on stream sockets: bytes sent are held until {@code threshold} bytes
 * gather, {@code delay} passes since the first held byte, the application calls {@link
 * ChainSocket#flush()}, receives (with {@code flush-on-receive}), shuts its output down or closes.
 * A write of at least {@code threshold} bytes with nothing held passes straight through.
 *
 * <p>Closing gracefully with linger off returns at once while bytes are still held: they are sent
 * when the delay passes or, at the latest, at the layer's final cleanup, which is what proves that
 * a final cleanup delivers what closed sockets still hold. Linger 0 drops them and resets the
 * connection; linger above 0 sends them before the close returns.
 *
 * <p>Settings (each default is its {@code @SettingInfo}'s): {@code threshold} (bytes), {@code
 * delay} ({@code 0} holds until threshold, flush or close), {@code flush-on-receive} (so that
 * request/response exchanges never wait on held bytes). A receive sends what is held itself when
 * its own thread wrote all of it (a request/response exchange on one thread pays no hand-off);
 * otherwise it hands the socket to a sender thread and never itself waits for a send, since a send
 * can block until the peer reads while the peer waits for this very receive. When it has a delay or
 * flushes on receive the layer runs a timer thread per load, and sender threads as sends need them,
 * one per socket sending, so a peer that stops reading delays no other socket; all are stopped at
 * unload. A socket has a hold buffer only while it holds bytes: it takes one from a small pool of
 * the load at its first held byte and gives it back when all it held has been sent, so thousands of
 * idle connections cost no buffer each.
 */
@ProviderInfo(
    id = "24cae5cd-ba45-4971-a8a2-fcb69c59e043",
    name = "coalesce",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description = "Holds small writes until a size threshold, a delay, a flush or a close.",
    requiresBelow = {ServiceFlag.GUARANTEED_ORDER},
    settings = {
      @SettingInfo(
          name = "threshold",
          defaultValue = "8192",
          description = "bytes held before they are sent"),
      @SettingInfo(
          name = "delay",
          defaultValue = "20ms",
          description = "longest time a byte is held; 0 holds until threshold, flush or close"),
      @SettingInfo(
          name = "flush-on-receive",
          defaultValue = "true",
          description = "send held bytes before a receive blocks")
    })
public final class CoalesceLayer extends AbstractLayer {

  /** The most bytes of idle hold buffers a load keeps for its sockets' next holds. */
  private static final int POOLED_BYTES = 1 << 20;

  private volatile int threshold;
  private volatile boolean flushOnReceive;
  private volatile HoldingSocket.Owner owner;
  private volatile BufferPool pool;

  /** Creates the layer; the runtime calls this. */
  public CoalesceLayer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    threshold = settings().getInt("threshold", 1, 64 << 20);
    Duration delay = settings().getDuration("delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException(
          "setting 'delay' of " + context.entry() + " must not be negative");
    }
    flushOnReceive = settings().getBoolean("flush-on-receive");
    pool = new BufferPool(threshold, Math.min(64, POOLED_BYTES / threshold));
    LayerTimer timer =
        !delay.isZero() || flushOnReceive ? LayerTimer.start("coalesce", context) : null;
    owner =
        new HoldingSocket.Owner(
            timer,
            delay,
            this::linger,
            this::unlinger,
            "layer '" + context.entry().name() + "' (entry " + context.entry().id() + ")");
  }

  @Override
  protected void onUnload() throws IOException {
    HoldingSocket.Owner o = owner;
    if (o != null) {
      LayerTimer.stop(o.timer(), "coalesce", context().entry());
    }
  }

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    if (below.type() != SocketType.STREAM) {
      return below; // datagrams keep their boundaries: nothing to coalesce
    }
    return new CoalesceSocket(this, below, false);
  }

  int threshold() {
    return threshold;
  }

  /** Returns an empty hold buffer of {@code threshold} bytes, from the pool when it has one. */
  ByteBuffer takeBuffer() {
    return pool.take();
  }

  /** Takes back a hold buffer no longer used; the pool keeps it if it has room. */
  void giveBack(ByteBuffer buffer) {
    pool.giveBack(buffer);
  }

  boolean flushOnReceive() {
    return flushOnReceive;
  }

  HoldingSocket.Owner owner() {
    return owner;
  }
}
