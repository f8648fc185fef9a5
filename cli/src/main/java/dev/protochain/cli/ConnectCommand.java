package dev.protochain.cli;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.Session;
import dev.protochain.runtime.ChainRuntime;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code protochain connect [--entry ID|NAME] [--safe-mode] HOST PORT}: netcat over a chain, as a
 * client.
 */
final class ConnectCommand implements Callable<Integer> {

  private final Main main;

  final CommandSpec spec =
      CommandSpecs.command(
          this,
          "connect",
          "Connect to HOST PORT over a chain of the catalog and copy standard input to the connection and"
              + " the connection to standard output, byte for byte.",
          "Without --entry, the entry is selected as an application's would be: the first serving inet (or inet6,"
              + " for an IPv6 HOST), stream, tcp. The end of input shuts down the sending side; the command ends"
              + " when the peer has ended its side and the input is sent (at once, when typing at a terminal).",
          "What it does is said on standard error.");

  private final NetcatOptions options = new NetcatOptions(spec);

  private final OptionSpec connectTimeout =
      CommandSpecs.add(
          spec,
          CommandSpecs.option(
                  "--connect-timeout",
                  "DURATION",
                  "How long the connection attempt may take: a whole number and a unit, such as 500ms or 30s;"
                      + " 0 for no bound (default: ${DEFAULT-VALUE}).")
              .type(Duration.class)
              .converters(new Main.DurationConverter())
              .defaultValue("30s"));

  private final PositionalParamSpec host =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter("HOST", "The host to connect to, a name or an address.")
              .index("0"));

  private final PositionalParamSpec port =
      CommandSpecs.add(
          spec,
          CommandSpecs.parameter("PORT", "The port, 1 to 65535.")
              .index("1")
              .type(int.class)
              .converters(new Ranges.RemotePort()));

  ConnectCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ChainRuntime.Builder builder = options.runtime(main, spec, "connect");
    InetAddress address = InetAddress.getByName(host.getValue());
    Netcat.Carried carried = carry(builder, address, err);
    return options.finish(err, "connect", carried);
  }

  // A method of its own, so that no socket of the connection stays reachable from call()'s frame
  // while the unload is checked.
  private Netcat.Carried carry(ChainRuntime.Builder builder, InetAddress address, PrintWriter err)
      throws Exception {
    AddressFamily family =
        address instanceof Inet6Address ? AddressFamily.INET6 : AddressFamily.INET;
    String host = this.host.getValue();
    int port = this.port.getValue();
    Duration connectTimeout = this.connectTimeout.getValue();
    try (ChainRuntime runtime = builder.build();
        Session session = options.startup(runtime, family);
        ChainSocket socket = session.open()) {
      InetSocketAddress remote = new InetSocketAddress(address, port);
      String to =
          host.equals(address.getHostAddress())
              ? host
              : host + " (" + address.getHostAddress() + ")";
      try {
        socket.connect(remote, connectTimeout);
      } catch (SocketTimeoutException e) {
        SocketTimeoutException named =
            new SocketTimeoutException(
                "no answer from "
                    + to
                    + " port "
                    + port
                    + " within "
                    + connectTimeout.toMillis()
                    + " ms"
                    + options.over(session, runtime)
                    + " (is the host up and the port open to this machine? --connect-timeout waits"
                    + " longer)");
        named.initCause(e);
        throw named;
      }
      Netcat.tell(
          err, "connect", "connected to " + to + " port " + port + options.over(session, runtime));
      return Netcat.copy(
          runtime.threadFactory(), socket, main.stdin(), main.stdout(), main.interactive());
    }
  }
}
