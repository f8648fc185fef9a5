package dev.protochain.cli;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.Session;
import dev.protochain.api.SocketType;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Netcat over a chain socket: copies an input stream to the socket and the socket to an output
 * stream, both at once. The end of the input shuts the socket's output down (a half-close), so the
 * peer sees the end of the stream and may still answer. The copy ends when the peer's side has
 * ended and the input has been sent in full, or at once when the input is a terminal (what was
 * typed has been sent). A copy reads the input on a daemon thread of its own, since a terminal's
 * read cannot be interrupted.
 */
final class Netcat {

  private static final int BUFFER = 64 * 1024;

  /**
   * What was carried.
   *
   * @param sent bytes sent to the peer
   * @param received bytes received from the peer
   */
  record Carried(long sent, long received) {}

  private Netcat() {}

  /**
   * Starts up the entry a command names with {@code --entry}, or else the one an application asking
   * for (family, stream, TCP) gets, and checks that netcat can use it.
   *
   * @throws ProtochainException with {@code NO_MATCHING_ENTRY} if it is not a stream entry over IP
   */
  static Session startup(ChainRuntime runtime, String entry, AddressFamily family)
      throws IOException {
    Session session;
    if (entry == null) {
      session = runtime.startup(family, SocketType.STREAM, Protocol.TCP);
    } else if (Ranges.isId(entry)) {
      session = runtime.startup(Ranges.id(entry));
    } else {
      session = runtime.startup(entry.trim());
    }
    CatalogEntry e = session.entry();
    if (e.type() != SocketType.STREAM || e.family() == AddressFamily.MEMORY) {
      session.close();
      throw new ProtochainException(
          ProtochainException.Code.NO_MATCHING_ENTRY,
          Catalog.label(e)
              + " serves "
              + e.family()
              + "/"
              + e.type()
              + "/"
              + e.protocol()
              + "; netcat needs a stream entry over INET or INET6");
    }
    return session;
  }

  /** Returns {@code 3001 'trace-tcp4' (chain trace > tcp4)}. */
  static String describe(Session session, Catalog catalog) {
    return Catalog.label(session.entry())
        + " ("
        + CatalogTable.describe(session.entry(), catalog)
        + ")";
  }

  /**
   * Copies {@code in} to {@code socket} and {@code socket} to {@code out} until both directions are
   * done, as the class comment says, and returns what was carried.
   *
   * @throws IOException if the socket, the input or the output fails
   */
  static Carried copy(
      ThreadFactory threads,
      ChainSocket socket,
      InputStream in,
      OutputStream out,
      boolean interactive)
      throws IOException {
    AtomicLong sent = new AtomicLong();
    AtomicReference<IOException> sendFailure = new AtomicReference<>();
    Thread sender =
        threads.newThread(
            () -> {
              byte[] buf = new byte[BUFFER];
              try {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                  socket.sendFully(ByteBuffer.wrap(buf, 0, n));
                  socket.flush(); // what was read is what the user meant to send now, held by no
                  // layer
                  sent.addAndGet(n);
                }
                socket.shutdownOutput();
              } catch (IOException e) {
                sendFailure.set(e);
              }
            });
    // A daemon thread, as every thread of the runtime's factory: a terminal's read cannot be
    // interrupted, and it must not keep the JVM alive.
    sender.setName("protochain-netcat-input");
    sender.start();

    long received = 0;
    ByteBuffer buf = ByteBuffer.allocate(BUFFER);
    try {
      while (true) {
        buf.clear();
        int n = socket.receive(buf);
        if (n < 0) {
          break;
        }
        out.write(buf.array(), 0, n);
        out.flush();
        received += n;
      }
    } catch (IOException e) {
      if (sendFailure.get() != null) {
        e.addSuppressed(sendFailure.get());
      }
      throw e;
    }
    if (!interactive) {
      try {
        sender.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while sending the rest of the input");
      }
    }
    if (sendFailure.get() != null) {
      throw sendFailure.get();
    }
    return new Carried(sent.get(), received);
  }

  /** Writes {@code protochain <command>: <what>} to standard error. */
  static void tell(PrintWriter err, String command, String what) {
    err.println("protochain " + command + ": " + what);
    err.flush();
  }

  /**
   * Verifies that every plugin the connection loaded was unloaded. With {@code required} ({@code
   * --check-unload}) tells what was found and returns 1 if an unload did not really happen; without
   * it, tells only a failed unload, as a warning, and returns 0.
   */
  static int checkUnload(
      dev.protochain.runtime.UnloadCheck check, boolean required, PrintWriter err, String command)
      throws InterruptedException {
    if (!required && check.loads() == 0) {
      return Main.OK;
    }
    dev.protochain.runtime.UnloadCheck.Report report = check.verify(100);
    if (required) {
      tell(err, command, report.toString());
      return report.clean() ? Main.OK : Main.REFUSED;
    }
    if (!report.clean()) {
      tell(err, command, "warning: " + report);
    }
    return Main.OK;
  }
}
