package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.Settings;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogProblem;
import dev.protochain.runtime.ProviderSource;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The rules between a catalog entry and the provider it names, each worded here once: the provider
 * is found, its kind matches the entry, it declares every key the entry sets, and a layer finds
 * below it the services it requires. The catalog's validation, the install refusal and the
 * runtime's startup all ask these methods.
 */
public final class Compatibility {

  private Compatibility() {}

  /**
   * The entry's provider is not in {@code source}; for a base entry, when the source holds no base
   * at all, the message names the artifact of the built-in bases.
   */
  public static CatalogProblem missing(CatalogEntry e, ProviderSource source) {
    return problem(
        CatalogProblem.Kind.UNKNOWN_PROVIDER,
        e
            + " names provider "
            + e.providerId()
            + ", which is not in "
            + source.name()
            + (e.kind() == EntryKind.BASE && BuiltinBases.of(source).entries().isEmpty()
                ? "; no base provider is there at all: " + BuiltinBases.ARTIFACT + "."
                : "."),
        e.id());
  }

  /**
   * The provider {@code p} is of the kind of {@code e}, a layer's own entry or a base entry: a
   * layer for the one, a base for the other.
   */
  public static Optional<CatalogProblem> kind(CatalogEntry e, ProviderDescriptor p) {
    EntryKind expected = e.kind(); // a layer's own entry or a base entry: chains have no slot
    if (p.kind() == expected) {
      return Optional.empty();
    }
    return Optional.of(
        problem(
            CatalogProblem.Kind.PROVIDER_KIND_MISMATCH,
            e
                + " names "
                + p
                + " (expected: a "
                + expected.name().toLowerCase(Locale.ROOT)
                + " provider).",
            e.id()));
  }

  /** Every key {@code e} sets is a setting {@code p} declares; one problem per other key. */
  public static List<CatalogProblem> settings(CatalogEntry e, ProviderDescriptor p) {
    List<CatalogProblem> problems = new ArrayList<>();
    for (String key : new TreeSet<>(e.settings().keySet())) {
      if (!p.accepts(key)) {
        problems.add(
            problem(
                CatalogProblem.Kind.UNKNOWN_SETTING,
                e
                    + " sets '"
                    + key
                    + "', which provider '"
                    + p.name()
                    + "' does not accept (accepted: "
                    + accepted(p)
                    + ").",
                e.id()));
      }
    }
    return problems;
  }

  /**
   * Returns {@code settings} with each file named made absolute against the directory this process
   * runs in, so that the catalog means the same file from any working directory: the value of a
   * {@linkplain ProviderDescriptor.Setting#path() path} setting of {@code p}, and the
   * {@code @file:} reference of a {@linkplain ProviderDescriptor.Setting#secret() secret}.
   */
  public static Map<String, String> resolvePaths(
      ProviderDescriptor p, Map<String, String> settings) {
    Map<String, String> out = new LinkedHashMap<>(settings);
    for (ProviderDescriptor.Setting s : p.settings()) {
      String v = out.get(s.name());
      if (v == null || v.isEmpty()) {
        continue;
      }
      if (s.path()) {
        out.put(s.name(), absolute(v));
      } else if (s.secret() && v.startsWith(Settings.FILE_REFERENCE)) {
        out.put(
            s.name(),
            Settings.FILE_REFERENCE + absolute(v.substring(Settings.FILE_REFERENCE.length())));
      }
    }
    return out;
  }

  private static String absolute(String path) {
    return Path.of(path).toAbsolutePath().normalize().toString();
  }

  /**
   * Every {@linkplain ProviderDescriptor.Setting#path() path} setting {@code e} sets is an absolute
   * path naming a file that exists; one problem per other.
   */
  public static List<CatalogProblem> files(CatalogEntry e, ProviderDescriptor p) {
    List<CatalogProblem> problems = new ArrayList<>();
    for (ProviderDescriptor.Setting s : p.settings()) {
      String v = e.settings().get(s.name());
      if (!s.path() || v == null || v.isEmpty()) {
        continue;
      }
      String why;
      try {
        Path file = Path.of(v);
        why =
            !file.isAbsolute()
                ? "a relative path, which names another file in each directory (expected: an"
                    + " absolute path; an install resolves it)"
                : !Files.isRegularFile(file) ? "a file that does not exist" : null;
      } catch (InvalidPathException x) {
        why = "no valid path (" + x.getReason() + ")";
      }
      if (why != null) {
        problems.add(
            problem(
                CatalogProblem.Kind.BAD_PATH,
                e + " sets '" + s.name() + "' to '" + v + "', " + why + ".",
                e.id()));
      }
    }
    return problems;
  }

  /**
   * The base {@code base} provides every service {@code layer} requires below it; {@code subject}
   * names the chain the problem is about.
   */
  public static Optional<CatalogProblem> below(
      String subject, List<Integer> ids, ProviderDescriptor layer, CatalogEntry base) {
    return missingServices(layer, base)
        .map(
            why ->
                new CatalogProblem(
                    CatalogProblem.Kind.MISSING_SERVICE, subject + ": " + why + ".", ids));
  }

  /**
   * Returns why {@code layer} cannot go over a chain ending in {@code base}, or empty if {@code
   * base} provides every service the layer requires below it.
   */
  public static Optional<String> missingServices(ProviderDescriptor layer, CatalogEntry base) {
    EnumSet<ServiceFlag> missing = EnumSet.noneOf(ServiceFlag.class);
    missing.addAll(layer.requiresBelow());
    missing.removeAll(base.flags());
    if (missing.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "layer '"
            + layer.name()
            + "' requires "
            + flags(layer.requiresBelow())
            + " below it, and its base "
            + Catalog.label(base)
            + " provides "
            + (base.flags().isEmpty() ? "none" : flags(base.flags())));
  }

  /** Returns the problem's message without its final period, to join with others on one line. */
  public static String clause(CatalogProblem p) {
    String m = p.message();
    return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
  }

  /** Returns {@code A, B} for a set of flags. */
  public static String flags(Set<ServiceFlag> flags) {
    return flags.stream().map(Enum::name).collect(Collectors.joining(", "));
  }

  /** Returns the names of the settings {@code d} declares, or {@code none}. */
  public static String accepted(ProviderDescriptor d) {
    return d.settings().isEmpty()
        ? "none"
        : d.settings().stream()
            .map(ProviderDescriptor.Setting::name)
            .collect(Collectors.joining(", "));
  }

  private static CatalogProblem problem(CatalogProblem.Kind kind, String message, int id) {
    return new CatalogProblem(kind, message, List.of(id));
  }
}
