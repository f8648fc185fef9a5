package dev.protochain.agent.internal;

import dev.protochain.layers.filter.AddressRule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's arguments, {@code -javaagent:protochain-agent.jar=KEY=VALUE,FLAG,...}: {@code
 * home=DIR}, {@code entry=ID|NAME}, {@code only=RULE;RULE}, {@code except=RULE;RULE}, {@code
 * safe-mode}, {@code no-follow}, {@code platform-threads}, {@code verbose}, {@code report=FILE}.
 * Rules are those of the {@code filter} layer ({@link AddressRule}), separated by {@code ;} since
 * {@code ,} separates the arguments.
 *
 * @param home the home whose catalog selects, if given
 * @param entry the entry every layered connection starts, by id or name, if given
 * @param only the rules of which one must cover a destination for it to be layered; none: any
 * @param except the rules of which none may cover a destination for it to be layered
 * @param safeMode whether nothing is layered
 * @param noFollow whether the agent keeps the catalog it started with rather than follow the home's
 *     catalog file
 * @param platformThreads whether the relay's threads are platform threads even where the JDK has
 *     virtual ones (the runtime's thread factory is then one of platform threads)
 * @param verbose whether the agent says what it does on standard error
 * @param report where a JSON report goes at exit, if given
 */
record AgentArgs(
    Optional<Path> home,
    Optional<String> entry,
    List<AddressRule> only,
    List<AddressRule> except,
    boolean safeMode,
    boolean noFollow,
    boolean platformThreads,
    boolean verbose,
    Optional<Path> report) {

  static final String KEYS =
      "home=DIR, entry=ID|NAME, only=RULE;RULE, except=RULE;RULE, safe-mode, no-follow,"
          + " platform-threads, verbose, report=FILE, separated by commas";

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the argument and the fix, in one line
   */
  static AgentArgs parse(String text) {
    Optional<Path> home = Optional.empty();
    Optional<String> entry = Optional.empty();
    List<AddressRule> only = List.of();
    List<AddressRule> except = List.of();
    boolean safeMode = false;
    boolean noFollow = false;
    boolean platformThreads = false;
    boolean verbose = false;
    Optional<Path> report = Optional.empty();
    Set<String> seen = new HashSet<>();
    for (String item : text.split(",", -1)) {
      String arg = item.trim();
      if (arg.isEmpty()) {
        if (text.isBlank()) {
          break;
        }
        throw new IllegalArgumentException(
            "argument list '" + text + "' has an empty argument (fix: " + KEYS + ")");
      }
      int eq = arg.indexOf('=');
      String key = eq < 0 ? arg : arg.substring(0, eq);
      String value = eq < 0 ? null : arg.substring(eq + 1).trim();
      if (!seen.add(key)) {
        throw new IllegalArgumentException(
            "argument '" + key + "' is given twice (fix: give it once)");
      }
      switch (key) {
        case "home" -> home = Optional.of(Path.of(required(key, value, "home=DIR")));
        case "entry" -> entry = Optional.of(required(key, value, "entry=ID or entry=NAME"));
        case "only" -> only = rules(key, required(key, value, "only=10.0.0.0/8;*:5432"));
        case "except" -> except = rules(key, required(key, value, "except=10.0.0.0/8;*:5432"));
        case "report" -> report = Optional.of(Path.of(required(key, value, "report=FILE")));
        case "safe-mode" -> safeMode = flag(key, value);
        case "no-follow" -> noFollow = flag(key, value);
        case "platform-threads" -> platformThreads = flag(key, value);
        case "verbose" -> verbose = flag(key, value);
        default ->
            throw new IllegalArgumentException(
                "unknown argument '" + arg + "' (fix: use " + KEYS + ")");
      }
    }
    return new AgentArgs(
        home, entry, only, except, safeMode, noFollow, platformThreads, verbose, report);
  }

  private static String required(String key, String value, String example) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(
          "argument '" + key + "' needs a value (fix: " + example + ")");
    }
    return value;
  }

  private static boolean flag(String key, String value) {
    if (value != null) {
      throw new IllegalArgumentException(
          "argument '" + key + "' takes no value (fix: write '" + key + "' alone)");
    }
    return true;
  }

  private static List<AddressRule> rules(String key, String value) {
    List<AddressRule> rules = new ArrayList<>();
    for (String text : value.split(";", -1)) {
      String t = text.trim();
      if (t.isEmpty()) {
        throw new IllegalArgumentException(
            "argument '"
                + key
                + "' has an empty rule in '"
                + value
                + "' (fix: separate rules with ';', e.g. "
                + key
                + "=10.0.0.0/8;*:5432)");
      }
      try {
        rules.add(AddressRule.parse(t));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "argument '"
                + key
                + "': "
                + e.getMessage()
                + " (fix: rules are those of the filter layer, separated by ';', e.g. "
                + key
                + "=10.0.0.0/8;[::1]:443;*:5432)",
            e);
      }
    }
    return List.copyOf(rules);
  }
}
