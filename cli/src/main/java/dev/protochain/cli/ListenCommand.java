package dev.protochain.cli;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code protochain listen [--entry ID|NAME] [--safe-mode] [--bind HOST] PORT}: netcat over a
 * chain, as a server.
 */
final class ListenCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "listen",
          "Listen on PORT over a chain of the catalog, accept one connection, and copy standard input to"
              + " it and it to standard output, byte for byte.",
          "Without --entry, the entry is selected as an application's would be: the first serving inet (or inet6,"
              + " for an IPv6 --bind address), stream, tcp. PORT 0 takes a free port, which standard error names."
              + " The end of input shuts down the sending side; the command ends when the peer has ended its side"
              + " and the input is sent (at once, when typing at a terminal).",
          "What it does is said on standard error.");

  private final NetcatOptions options = new NetcatOptions(spec);

  private final OptionSpec bind =
      CommandSpecs.add(
          spec,
          CommandSpecs.option(
              "--bind",
              "HOST",
              "The local address to listen on (default: the loopback address, 127.0.0.1, so that only"
                  + " this machine can connect; 0.0.0.0 for every IPv4 address)."));

  private final PositionalParamSpec port =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter("PORT", "The port, 0 to 65535; 0 takes a free one.")
              .index("0")
              .type(int.class)
              .converters(new Ranges.LocalPort()));

  ListenCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ChainRuntime.Builder builder = options.runtime(main, spec, "listen");
    String bind = this.bind.getValue();
    int port = this.port.getValue();
    InetSocketAddress local =
        new InetSocketAddress(
            bind == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(bind), port);
    AddressFamily family =
        local.getAddress() instanceof Inet6Address && bind != null
            ? AddressFamily.INET6
            : AddressFamily.INET;
    Netcat.Carried carried = serve(builder, local, family, bind == null, err);
    return options.finish(err, "listen", carried);
  }

  // A method of its own, so that no socket of the connection stays reachable from call()'s frame
  // while the unload is checked.
  private Netcat.Carried serve(
      ChainRuntime.Builder builder,
      InetSocketAddress local,
      AddressFamily family,
      boolean loopbackByDefault,
      PrintWriter err)
      throws Exception {
    try (ChainRuntime runtime = builder.build();
        Session session = options.startup(runtime, family)) {
      ChainSocket peer;
      try (ChainSocket listener = session.open()) {
        listener.bind(local);
        listener.listen(1);
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        Netcat.tell(
            err,
            "listen",
            "listening on "
                + bound.getAddress().getHostAddress()
                + " port "
                + bound.getPort()
                + options.over(session, runtime)
                + (loopbackByDefault
                    ? "; loopback only, --bind ADDRESS listens on another (0.0.0.0 for every IPv4"
                        + " address)"
                    : ""));
        peer = listener.accept();
      }
      try (ChainSocket connection = peer) {
        InetSocketAddress remote = (InetSocketAddress) connection.remoteAddress();
        Netcat.tell(
            err,
            "listen",
            "accepted a connection from "
                + remote.getAddress().getHostAddress()
                + " port "
                + remote.getPort());
        return Netcat.copy(
            runtime.threadFactory(), connection, main.stdin(), main.stdout(), main.interactive());
      }
    }
  }
}
