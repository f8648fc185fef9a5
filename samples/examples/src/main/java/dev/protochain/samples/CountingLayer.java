package dev.protochain.samples;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ForwardingSocket;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.StartupContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * A layer an application defines in its own code: it counts the bytes its sockets send and receive
 * into the {@link Counters} the application registered with its runtime (or into its own, if none
 * was). Only {@code send} and {@code receive} are overridden; everything else passes through.
 */
@ProviderInfo(
    id = "edbea6d5-e541-4dcc-9438-705eed216a5d",
    name = "counting",
    kind = EntryKind.LAYER,
    description = "Counts the bytes sent and received through it.")
public final class CountingLayer extends AbstractLayer {

  /** Byte counts an application reads; register one with {@code ChainRuntime.Builder.service}. */
  public static final class Counters {
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();

    /** Returns the bytes sent through the layer so far. */
    public long sent() {
      return sent.sum();
    }

    /** Returns the bytes received through the layer so far. */
    public long received() {
      return received.sum();
    }
  }

  private volatile Counters counters;

  /** Creates the layer; the runtime calls this. */
  public CountingLayer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    counters = context.services().find(Counters.class).orElseGet(Counters::new);
  }

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    return new Counting(below);
  }

  private final class Counting extends ForwardingSocket {
    Counting(ChainSocket below) {
      super(below);
    }

    @Override
    protected ChainSocket wrapAccepted(ChainSocket acceptedBelow) {
      return new Counting(acceptedBelow);
    }

    @Override
    public int send(ByteBuffer src) throws IOException {
      int n = super.send(src);
      counters.sent.add(n);
      return n;
    }

    @Override
    public int receive(ByteBuffer dst) throws IOException {
      int n = super.receive(dst);
      if (n > 0) {
        counters.received.add(n);
      }
      return n;
    }
  }
}
