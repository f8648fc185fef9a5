package dev.protochain.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How {@code protochain run} attaches the agent to a command: where the agent jar is, the agent's
 * arguments, and the {@code JAVA_TOOL_OPTIONS} that carry them to every JVM the command starts.
 */
final class AgentLaunch {

  /** The system property naming the agent jar; without it, the jar beside the CLI's libraries. */
  static final String JAR_PROPERTY = "protochain.agent.jar";

  /** The environment variable every JVM reads its extra options from. */
  static final String TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";

  /** The agent jar's file name in {@code agent/}, beside the CLI's {@code lib/}. */
  static final String JAR_NAME = "protochain-agent.jar";

  private AgentLaunch() {}

  /**
   * Returns the agent jar: the file {@code -Dprotochain.agent.jar} names, else {@code
   * agent/protochain-agent.jar} beside the CLI's {@code lib/} (in {@code cli/target/}, where the
   * build copies it; not in {@code lib/} itself, which the launcher puts on the CLI's class path).
   *
   * @throws IllegalStateException in one line naming where it looked and the fix
   */
  static Path agentJar() {
    String named = System.getProperty(JAR_PROPERTY);
    Path jar = named != null ? Path.of(named) : besideLibraries().resolve(JAR_NAME);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "no agent jar at "
              + jar
              + " (build it with ./protochain, which builds the agent and the CLI, or name one with"
              + " -D"
              + JAR_PROPERTY
              + "=FILE in PROTOCHAIN_JAVA_OPTS)");
    }
    return jar.toAbsolutePath();
  }

  /** Returns {@code target/agent}: the CLI's classes are {@code target/classes} or the jar. */
  private static Path besideLibraries() {
    Path code;
    try {
      code = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of("agent");
    }
    Path target = code.getParent() == null ? Path.of(".") : code.getParent();
    return target.resolve("agent");
  }

  /**
   * Returns the agent's arguments: {@code key=value} pairs joined by commas, in the agent's order
   * ({@code home, entry, only, except, report}, then the {@code flags}: {@code safe-mode}, {@code
   * no-follow}, {@code platform-threads}, {@code verbose}); rules are separated by {@code ;} (a
   * comma in {@code rules} is taken as a separator too, as the filter layer writes them).
   *
   * @throws IllegalArgumentException when a value holds a comma, which the agent could not tell
   *     from a separator
   */
  static String agentArguments(
      Path home,
      Optional<String> entry,
      List<String> only,
      List<String> except,
      Optional<Path> report,
      List<String> flags) {
    List<String> args = new ArrayList<>();
    args.add(pair("home", home.toAbsolutePath().toString(), "--home"));
    entry.ifPresent(e -> args.add(pair("entry", e, "--entry")));
    rules(only).ifPresent(r -> args.add("only=" + r));
    rules(except).ifPresent(r -> args.add("except=" + r));
    report.ifPresent(r -> args.add(pair("report", r.toAbsolutePath().toString(), "--report")));
    args.addAll(flags);
    return String.join(",", args);
  }

  private static String pair(String key, String value, String option) {
    if (value.contains(",")) {
      throw new IllegalArgumentException(
          option + " '" + value + "' holds a comma, which the agent's arguments cannot carry");
    }
    return key + "=" + value;
  }

  /** Returns the rules of every {@code --only} (or {@code --except}) joined by {@code ;}. */
  private static Optional<String> rules(List<String> options) {
    List<String> rules = new ArrayList<>();
    for (String option : options) {
      for (String rule : option.split("[,;]", -1)) {
        if (!rule.isBlank()) {
          rules.add(rule.strip());
        }
      }
    }
    return rules.isEmpty() ? Optional.empty() : Optional.of(String.join(";", rules));
  }

  /**
   * Returns {@code JAVA_TOOL_OPTIONS} for the command: {@code -javaagent:JAR=ARGS}, quoted when it
   * holds white space, then what the user had there, which the JVM reads after it.
   */
  static String javaToolOptions(Path jar, String agentArguments, Optional<String> userOptions) {
    String agent =
        quote("-javaagent:" + jar + (agentArguments.isEmpty() ? "" : "=" + agentArguments));
    return userOptions.filter(o -> !o.isBlank()).map(o -> agent + " " + o).orElse(agent);
  }

  /** Returns the environment of the command: this one, with the agent in front. */
  static Map<String, String> environment(Map<String, String> inherited, String javaToolOptions) {
    Map<String, String> env = new java.util.HashMap<>(inherited);
    env.put(TOOL_OPTIONS, javaToolOptions);
    return env;
  }

  /**
   * Returns {@code option} as one word of {@code JAVA_TOOL_OPTIONS}: the JVM splits the variable at
   * white space, except inside single or double quotes, which it drops.
   *
   * @throws IllegalArgumentException when the option holds white space and both kinds of quote
   */
  static String quote(String option) {
    if (option.chars().noneMatch(Character::isWhitespace)
        && option.indexOf('"') < 0
        && option.indexOf('\'') < 0) {
      return option;
    }
    if (option.indexOf('"') < 0) {
      return '"' + option + '"';
    }
    if (option.indexOf('\'') < 0) {
      return "'" + option + "'";
    }
    throw new IllegalArgumentException(
        "'" + option + "' holds both kinds of quote, which JAVA_TOOL_OPTIONS cannot carry");
  }
}
