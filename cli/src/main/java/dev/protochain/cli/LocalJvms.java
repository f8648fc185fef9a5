package dev.protochain.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.protochain.runtime.ChainRuntimeMXBean;
import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The JVMs of this user on this machine, and a JMX connection to the ones that run protochain:
 * through the Attach API and the JVM's local management agent, which attaching starts as {@code
 * jconsole} does, so the JVM needs no agent or option of its own. A JVM is asked first for its
 * system properties, and its agent is started only if {@link ChainRuntimeMXBean#JVM_MARKER} says it
 * ran a runtime.
 */
final class LocalJvms {

  /** SIGQUIT's bit in the signal masks of {@code /proc/PID/status}. */
  private static final long SIGQUIT = 1L << (3 - 1);

  private LocalJvms() {}

  /**
   * One local JVM.
   *
   * @param pid its process id
   * @param command what it runs: its main class or jar and their arguments, as the JVM says
   */
  record Jvm(long pid, String command) {

    /** Returns the error that this JVM has no protochain runtime to show. */
    IllegalArgumentException noRuntime() {
      return new IllegalArgumentException(this + " runs no protochain runtime");
    }

    /** Returns {@code process 4242 (COMMAND)}, for messages. */
    @Override
    public String toString() {
      return "process " + pid + (command.isEmpty() ? "" : " (" + command + ")");
    }
  }

  /**
   * A JMX connection to one JVM's platform MBean server. Closing it leaves the JVM as it was (its
   * management agent, once started, runs on).
   */
  static final class Connection implements Closeable {
    private final Jvm jvm;
    private final MBeanServerConnection server;
    private final JMXConnector connector; // null for this JVM's own server

    private Connection(Jvm jvm, MBeanServerConnection server, JMXConnector connector) {
      this.jvm = jvm;
      this.server = server;
      this.connector = connector;
    }

    Jvm jvm() {
      return jvm;
    }

    MBeanServerConnection server() {
      return server;
    }

    @Override
    public void close() throws IOException {
      if (connector != null) {
        connector.close();
      }
    }
  }

  /** Returns the JVMs of this user that publish themselves for attach, but this one, by PID. */
  static List<Jvm> list() {
    long self = ProcessHandle.current().pid();
    return VirtualMachine.list().stream()
        .map(LocalJvms::jvm)
        .flatMap(Optional::stream)
        .filter(j -> j.pid() != self)
        .sorted(Comparator.comparingLong(Jvm::pid))
        .toList();
  }

  private static Optional<Jvm> jvm(VirtualMachineDescriptor d) {
    try {
      long pid = Long.parseLong(d.id());
      // A JVM without a main class the JVM can name shows its PID as its display name.
      return Optional.of(new Jvm(pid, d.displayName().equals(d.id()) ? "" : d.displayName()));
    } catch (NumberFormatException notAProcessId) {
      return Optional.empty(); // another attach provider's id; none on the JDKs we run on
    }
  }

  /**
   * Connects to the JVM with process id {@code pid}, which must run a protochain runtime; this JVM
   * is read directly.
   *
   * @throws IllegalArgumentException if there is no such process, it is not a JVM of this user, or
   *     it never ran a protochain runtime
   * @throws IOException if the JVM refuses the attach or the connection fails
   */
  static Connection connect(long pid) throws IOException {
    if (pid == ProcessHandle.current().pid()) {
      return new Connection(
          new Jvm(pid, System.getProperty("sun.java.command", "")),
          ManagementFactory.getPlatformMBeanServer(),
          null);
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      throw new IllegalArgumentException("there is no process " + pid);
    }
    // Only a JVM that publishes itself is attached to: attaching signals the process (SIGQUIT),
    // which ends a process that is not a JVM.
    Jvm jvm =
        list().stream()
            .filter(j -> j.pid() == pid)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        new Jvm(pid, process.get().info().command().orElse(""))
                            + " is not a Java virtual machine this user can attach to"));
    return attach(jvm).orElseThrow(jvm::noRuntime);
  }

  /**
   * Connects to {@code jvm} if it ran a protochain runtime, starting its local management agent if
   * it is not running; returns empty if it never did.
   *
   * @throws IOException if the JVM refuses the attach (it is starting, or exiting, or runs with
   *     attach disabled) or the connection fails
   */
  // JMX over RMI is what BanJNDI warns of; the address here is the local management agent that the
  // attached JVM, one of this user's, has just started, never one taken from input.
  @SuppressWarnings("BanJNDI")
  static Optional<Connection> attach(Jvm jvm) throws IOException {
    if (!catchesQuit(jvm.pid())) {
      // The JDK 17 attach sends SIGQUIT without this check, and a JVM that does not catch it yet
      // (still starting) dies of it.
      throw new IOException(
          jvm
              + " does not accept attach now: it does not catch SIGQUIT (starting, or run with -Xrs)");
    }
    VirtualMachine vm;
    try {
      vm = VirtualMachine.attach(Long.toString(jvm.pid()));
    } catch (AttachNotSupportedException | IOException e) {
      throw new IOException(jvm + " refused attach: " + Main.oneLine(e), e);
    }
    String address;
    try {
      if (vm.getSystemProperties().getProperty(ChainRuntimeMXBean.JVM_MARKER) == null) {
        return Optional.empty();
      }
      address = vm.startLocalManagementAgent();
    } catch (IOException e) {
      throw new IOException(
          jvm
              + ": reading its properties or starting its management agent failed: "
              + Main.oneLine(e),
          e);
    } finally {
      detach(vm);
    }
    try {
      JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
      return Optional.of(new Connection(jvm, connector.getMBeanServerConnection(), connector));
    } catch (IOException e) {
      throw new IOException(jvm + ": no JMX connection: " + Main.oneLine(e), e);
    }
  }

  private static void detach(VirtualMachine vm) {
    try {
      vm.detach();
    } catch (IOException e) {
      // Only the attach socket's close failed; the JVM and what was read from it are fine.
    }
  }

  /**
   * Returns whether the process catches SIGQUIT, as the JDK 25 attach checks before it signals;
   * true where {@code /proc} does not tell (not Linux), leaving the attach to decide.
   */
  private static boolean catchesQuit(long pid) throws IOException {
    Path status = Path.of("/proc", Long.toString(pid), "status");
    if (!Files.isReadable(status)) {
      return true;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigCgt:")) {
        return (Long.parseUnsignedLong(line.substring("SigCgt:".length()).trim(), 16) & SIGQUIT)
            != 0;
      }
    }
    return true;
  }
}
