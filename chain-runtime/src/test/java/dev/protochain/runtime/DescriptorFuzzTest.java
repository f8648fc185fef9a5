package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.Version;
import dev.protochain.api.VersionRange;
import dev.protochain.api.spi.ProviderDescriptor;
import dev.protochain.runtime.testing.Bounded;
import dev.protochain.runtime.testing.PluginJars;
import dev.protochain.runtime.testing.PropertyTimeout;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.Tag;

/**
 * Fuzzes provider descriptors: generated {@code @ProviderInfo} values (ids that are not UUIDs or
 * not in their canonical form, bad names, versions that do not parse or make an empty range,
 * settings declared twice, a kind the class does not implement, services required twice) compiled
 * into provider classes in one go, then read by {@link ProviderDescriptor#of} (every class) and by
 * {@link PluginStore#inspect} (a sample, each packed as a plugin jar of its own). A descriptor
 * either reads back exactly as declared, or fails with {@code INVALID_PROVIDER} naming the class
 * (and, through {@code inspect}, the jar); never another exception.
 */
@PropertyTimeout(seconds = 120)
class DescriptorFuzzTest {

  static final Pattern CANONICAL_UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  static final Pattern VERSION = Pattern.compile("\\s*([0-9]{1,9})(\\.([0-9]{1,9}))?\\s*");

  /** One generated descriptor, and whether its class is a layer. */
  record Spec(
      String id,
      String name,
      boolean declaredLayer,
      boolean layer,
      String min,
      String max,
      List<String> settings,
      List<ServiceFlag> requires) {}

  @Example
  void generatedDescriptorsReadAsDeclaredOrFailNamingTheClassAndTheJar() throws Exception {
    run(300, 5);
  }

  @Example
  @Tag("soak")
  void manyMoreGeneratedDescriptors() throws Exception {
    run(3_000, 3);
  }

  static void run(int count, int everyNthJar) throws Exception {
    List<Spec> specs = specs().sampleStream().limit(count).toList();
    Path dir = Files.createTempDirectory("descriptor-fuzz");
    try {
      PluginJars sources = new PluginJars();
      for (int i = 0; i < specs.size(); i++) {
        sources.source("fuzz.P" + i, source(i, specs.get(i)));
      }
      long start = System.nanoTime();
      Path all = sources.build(dir.resolve("all.jar"));
      long compiled = System.nanoTime();
      int valid = 0;
      int jars = 0;
      Map<String, Integer> problems = new TreeMap<>();
      try (URLClassLoader loader =
          new URLClassLoader(
              new URL[] {all.toUri().toURL()}, DescriptorFuzzTest.class.getClassLoader())) {
        for (int i = 0; i < specs.size(); i++) {
          Spec spec = specs.get(i);
          Class<?> type = Class.forName("fuzz.P" + i, false, loader);
          Optional<String> expected = problem(spec);
          Optional<ProviderDescriptor> read =
              Bounded.call(
                  Duration.ofSeconds(10),
                  "reading a descriptor",
                  () -> descriptor(type, spec, expected));
          if (read.isPresent()) {
            valid++;
          } else {
            problems.merge(expected.orElseThrow(), 1, Integer::sum);
          }
          if (i % everyNthJar == 0) {
            Path jar = jar(all, dir, i);
            Bounded.call(
                Duration.ofSeconds(10),
                "inspecting a plugin jar",
                () -> {
                  inspect(jar, spec, read);
                  return null;
                });
            jars++;
          }
        }
      }
      System.out.printf(
          "descriptor fuzz: %d descriptors through ProviderDescriptor.of (%d valid; refused for %s), "
              + "%d plugin jars through PluginStore.inspect; compiled in %d ms, checked in %d ms%n",
          specs.size(),
          valid,
          problems,
          jars,
          (compiled - start) / 1_000_000,
          (System.nanoTime() - compiled) / 1_000_000);
      assertTrue(
          valid > 0 && valid < specs.size(),
          "the generator makes both valid and invalid descriptors");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Reads the descriptor and checks it against the spec: as declared, or refused naming the class.
   */
  static Optional<ProviderDescriptor> descriptor(
      Class<?> type, Spec spec, Optional<String> expected) {
    try {
      ProviderDescriptor d = ProviderDescriptor.of(type);
      if (expected.isPresent()) {
        fail(
            "accepted a descriptor whose "
                + expected.get()
                + " is wrong: "
                + spec
                + " read as "
                + d);
      }
      assertEquals(UUID.fromString(spec.id()), d.id());
      assertEquals(spec.name(), d.name());
      assertEquals(spec.declaredLayer() ? EntryKind.LAYER : EntryKind.BASE, d.kind());
      assertEquals(
          VersionRange.of(Version.parse(spec.min()), Version.parse(spec.max())), d.versions());
      assertEquals(
          spec.settings(), d.settings().stream().map(ProviderDescriptor.Setting::name).toList());
      assertEquals(
          spec.requires().isEmpty()
              ? EnumSet.noneOf(ServiceFlag.class)
              : EnumSet.copyOf(spec.requires()),
          d.requiresBelow());
      assertEquals(type.getName(), d.className());
      return Optional.of(d);
    } catch (ProtochainException e) {
      if (expected.isEmpty()) {
        fail("refused a valid descriptor " + spec + ": " + e.getMessage());
      }
      assertEquals(ProtochainException.Code.INVALID_PROVIDER, e.code());
      assertTrue(
          e.getMessage().startsWith("provider class " + type.getName() + " "),
          () -> "names the class: " + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Inspects the plugin jar holding one class: what {@code of} read, or INVALID_PROVIDER naming the
   * jar.
   */
  static void inspect(Path jar, Spec spec, Optional<ProviderDescriptor> read) throws IOException {
    boolean installable =
        read.isPresent()
            && read.get().kind() == EntryKind.LAYER
            && read.get().versions().negotiate(VersionRange.ALL).isPresent();
    try {
      ProviderDescriptor d = PluginStore.inspect(jar);
      assertTrue(installable, () -> "inspect accepted " + spec + " as " + d);
      assertEquals(read.get(), d);
    } catch (ProtochainException e) {
      assertTrue(
          !installable,
          () -> "inspect refused an installable plugin " + spec + ": " + e.getMessage());
      assertEquals(ProtochainException.Code.INVALID_PROVIDER, e.code());
      assertTrue(
          e.getMessage().startsWith("plugin jar " + jar), () -> "names the jar: " + e.getMessage());
      if (read.isEmpty()) {
        assertTrue(
            e.getMessage().contains("provider class " + "fuzz.P"),
            () -> "names the class: " + e.getMessage());
      }
    }
  }

  /**
   * Returns what is wrong with a spec, as the descriptor's contract says, or empty if nothing is.
   */
  static Optional<String> problem(Spec spec) {
    if (!CANONICAL_UUID.matcher(spec.id()).matches()) {
      return Optional.of("id");
    }
    if (!NAME.matcher(spec.name()).matches()) {
      return Optional.of("name");
    }
    int min = version(spec.min());
    int max = version(spec.max());
    if (min < 0 || max < 0 || min > max) {
      return Optional.of("versions");
    }
    if (spec.declaredLayer() != spec.layer()) {
      return Optional.of("kind");
    }
    if (new LinkedHashSet<>(spec.settings()).size() != spec.settings().size()) {
      return Optional.of("settings");
    }
    return Optional.empty();
  }

  /** Returns {@code major * 256 + minor}, or -1 if the text is not a version of 0.0 to 255.255. */
  static int version(String text) {
    var m = VERSION.matcher(text);
    if (!m.matches()) {
      return -1;
    }
    long major = Long.parseLong(m.group(1));
    long minor = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
    return major > 255 || minor > 255 ? -1 : (int) (major * 256 + minor);
  }

  /* ---- generation ---- */

  static Arbitrary<Spec> specs() {
    Arbitrary<String> uuid =
        Arbitraries.randomValue(r -> new UUID(r.nextLong(), r.nextLong()).toString());
    Arbitrary<String> id =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(24, uuid),
            net.jqwik.api.Tuple.of(1, uuid.map(u -> u.toUpperCase(Locale.ROOT))),
            net.jqwik.api.Tuple.of(1, uuid.map(u -> u.replace("-", ""))),
            net.jqwik.api.Tuple.of(1, uuid.map(u -> u.substring(0, 35) + "g")),
            net.jqwik.api.Tuple.of(1, uuid.map(u -> u + "0")),
            net.jqwik.api.Tuple.of(
                1,
                Arbitraries.of(
                    "1-2-3-4-5",
                    "0-0-0-0-0",
                    "00000001-0002-0003-0004-5",
                    "",
                    " ",
                    "not-a-uuid",
                    "123456789-1234-1234-1234-123456789012")),
            net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(40)));
    Arbitrary<String> name =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(
                16,
                Arbitraries.strings()
                    .withCharRange('a', 'z')
                    .numeric()
                    .withChars('-')
                    .ofMinLength(0)
                    .ofMaxLength(33)
                    .map(s -> s.isEmpty() ? s : "q" + s)),
            net.jqwik.api.Tuple.of(
                1,
                Arbitraries.of(
                    "", "Trace", "1abc", "a_b", "a b", "ü", "-a", "a".repeat(32), "a".repeat(33))),
            net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(10)));
    Arbitrary<String> version =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(12, Arbitraries.of("1.0", "2.0", "2.1", "2.2", "1", "2")),
            net.jqwik.api.Tuple.of(
                2,
                Arbitraries.of("0.0", "255.255", "256.0", "2.256", "3.0", "9.9", " 2.1 ", "0.9")),
            net.jqwik.api.Tuple.of(
                1,
                Arbitraries.of(
                    "",
                    "2.",
                    ".2",
                    "2.x",
                    "-1.0",
                    "2.0.1",
                    "99999999999.0",
                    "v2",
                    "2,0",
                    "1e1",
                    "2 .0")));
    Arbitrary<List<String>> settings =
        Arbitraries.of("level", "max-frame", "delay", "", "a b", "x1", "x2", "x3", "x4")
            .list()
            .ofMaxSize(3);
    Arbitrary<List<ServiceFlag>> requires = Arbitraries.of(ServiceFlag.class).list().ofMaxSize(3);
    Arbitrary<Boolean> declaredLayer =
        Arbitraries.frequency(net.jqwik.api.Tuple.of(5, true), net.jqwik.api.Tuple.of(1, false));
    Arbitrary<Boolean> sameKind =
        Arbitraries.frequency(net.jqwik.api.Tuple.of(12, true), net.jqwik.api.Tuple.of(1, false));
    Arbitrary<boolean[]> kinds =
        Combinators.combine(declaredLayer, sameKind)
            .as((d, same) -> new boolean[] {d, same.equals(d)});
    return Combinators.combine(id, name, kinds, version, version, settings, requires)
        .as((i, n, k, min, max, s, r) -> new Spec(i, n, k[0], k[1], min, max, s, r));
  }

  /** Returns the source of provider class {@code fuzz.P<i>} carrying the spec as its descriptor. */
  static String source(int i, Spec s) {
    String info =
        "@ProviderInfo(id = "
            + literal(s.id())
            + ", name = "
            + literal(s.name())
            + ", kind = EntryKind."
            + (s.declaredLayer() ? "LAYER" : "BASE")
            + ", minVersion = "
            + literal(s.min())
            + ", maxVersion = "
            + literal(s.max())
            + ", settings = {"
            + s.settings().stream()
                .map(n -> "@SettingInfo(name = " + literal(n) + ")")
                .collect(Collectors.joining(", "))
            + "}, requiresBelow = {"
            + s.requires().stream()
                .map(f -> "ServiceFlag." + f.name())
                .collect(Collectors.joining(", "))
            + "})\n";
    String body =
        s.layer()
            ? " extends AbstractLayer {\n  @Override public ChainSocket wrap(ChainSocket b, StartupContext c) { return b; }\n}\n"
            : " implements BaseProvider {\n  @Override public void load(ProviderContext c) {}\n"
                + "  @Override public void unload() {}\n"
                + "  @Override public ChainSocket open(StartupContext c) throws IOException { throw new IOException(\"no\"); }\n}\n";
    return "package fuzz;\nimport dev.protochain.api.*;\nimport dev.protochain.api.spi.*;\nimport java.io.IOException;\n"
        + info
        + "public final class P"
        + i
        + body;
  }

  /**
   * Returns a Java string literal of {@code s}: octal escapes for control characters, never a
   * unicode escape.
   */
  static String literal(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\%03o", (int) c));
      } else if (Character.isSurrogate(c)) {
        sb.append('?'); // javac reads the source as UTF-8, where a lone surrogate cannot be written
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /**
   * Packs class {@code fuzz.P<i>} of {@code all} into a plugin jar of its own, registered as the
   * provider.
   */
  static Path jar(Path all, Path dir, int i) throws IOException {
    Path jar = dir.resolve("p" + i + ".jar");
    try (JarFile in = new JarFile(all.toFile());
        JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      JarEntry cls = in.getJarEntry("fuzz/P" + i + ".class");
      out.putNextEntry(new JarEntry(cls.getName()));
      try (var is = in.getInputStream(cls)) {
        is.transferTo(out);
      }
      out.closeEntry();
      out.putNextEntry(new JarEntry("META-INF/services/dev.protochain.api.spi.Provider"));
      OutputStream o = out;
      o.write(("fuzz.P" + i + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }
}
