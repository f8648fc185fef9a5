package dev.protochain.runtime.bridge;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.Protocol;
import dev.protochain.api.Session;
import dev.protochain.api.SocketType;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** What a bridge socket starts up: a named entry, or the selection for the address's family. */
final class Target {

  private final ChainRuntime runtime;
  private final String entry; // null: select (family of the address, STREAM, TCP)

  private Target(ChainRuntime runtime, String entry) {
    this.runtime = runtime;
    this.entry = entry;
  }

  static Target entry(ChainRuntime runtime, String entry) {
    return new Target(runtime, entry);
  }

  static Target select(ChainRuntime runtime) {
    return new Target(runtime, null);
  }

  ChainRuntime runtime() {
    return runtime;
  }

  /** Starts up the entry, or the entry selected for the family of {@code address}. */
  Session startup(SocketAddress address) throws IOException {
    if (entry != null) {
      return runtime.startup(entry);
    }
    AddressFamily family =
        address instanceof InetSocketAddress
                && ((InetSocketAddress) address).getAddress() instanceof Inet6Address
            ? AddressFamily.INET6
            : AddressFamily.INET;
    return runtime.startup(family, SocketType.STREAM, Protocol.TCP);
  }

  @Override
  public String toString() {
    return entry != null ? "entry '" + entry + "'" : "the entry selected for stream/tcp";
  }
}
