package dev.protochain.runtime.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogInvalidException;
import dev.protochain.runtime.CatalogProblem;
import dev.protochain.runtime.store.internal.CatalogJson;
import dev.protochain.runtime.testing.Bounded;
import dev.protochain.runtime.testing.PropertyTimeout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the catalog file: valid {@code catalog.json} files mutated (bit flips, truncations, bytes
 * inserted, deleted or repeated, fields removed, repeated or given values of the wrong type, huge
 * numbers, deep nesting, long strings) and random JSON, each read through {@link CatalogStore} from
 * a temporary home. Every case either reads a valid catalog that writes back to the same catalog,
 * or fails with one {@link CatalogInvalidException} naming the file, each problem one bounded
 * sentence; never another exception, never within more than a bounded time, and the file on disk is
 * never changed by the read.
 */
@PropertyTimeout(seconds = 120)
class CatalogFuzzTest {

  static final Duration CASE_BOUND = Duration.ofSeconds(10);

  /** A problem is one sentence: a value it quotes is cut short rather than echoed whole. */
  static final int LONGEST_PROBLEM = 1_000;

  static final ObjectMapper JSON = new ObjectMapper();
  static final String NEST = "@nested@";
  static final List<String> FIELDS =
      List.of(
          "schemaVersion",
          "generation",
          "entries",
          "id",
          "name",
          "providerId",
          "family",
          "type",
          "protocol",
          "flags",
          "version",
          "chain",
          "settings");

  static final Map<String, LongAdder> OUTCOMES = new ConcurrentHashMap<>();
  static final AtomicLong CASES = new AtomicLong();
  static List<byte[]> seeds;
  static Path home;

  @BeforeContainer
  static void seeds() throws IOException {
    home = Files.createTempDirectory("catalog-fuzz");
    UUID trace = UUID.fromString("b103522e-ae6d-4bd9-97f8-2ed05f7e13ee");
    UUID coalesce = UUID.fromString("24cae5cd-ba45-4971-a8a2-fcb69c59e043");
    Catalog layered =
        Catalog.builtin()
            .installLayer(
                "coalesce",
                coalesce,
                Map.of("delay", "0", "threshold", "1024"),
                List.of(1001, 1005))
            .installLayer("trace", trace, Map.of(), List.of(3001, 1002));
    Catalog deep = Catalog.builtin();
    int over = 1001;
    for (int i = 0; i < 6; i++) {
      deep =
          deep.installLayer(
              "l" + i,
              UUID.nameUUIDFromBytes(new byte[] {(byte) i}),
              Map.of("k", "v" + i),
              List.of(over));
      over = deep.entries().get(0).id();
    }
    seeds =
        List.of(
            CatalogJson.write(new StoredCatalog(Catalog.builtin(), 1)),
            CatalogJson.write(new StoredCatalog(layered.checkValid("seed"), 7)),
            CatalogJson.write(new StoredCatalog(deep.checkValid("seed"), Long.MAX_VALUE)),
            CatalogJson.write(new StoredCatalog(Catalog.of(List.of()), 2)));
  }

  @AfterContainer
  static void report() throws IOException {
    System.out.printf(
        "catalog fuzz: %d cases; outcomes: %s%n", CASES.get(), new java.util.TreeMap<>(OUTCOMES));
    try (Stream<Path> files = Files.walk(home)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /* ---- the properties ---- */

  @Property(tries = 8_000, generation = GenerationMode.RANDOMIZED)
  void aMutatedCatalogFileReadsAsACatalogOrFailsNamingTheFile(@ForAll("mutated") byte[] file)
      throws Exception {
    check(file);
  }

  @Property(tries = 2_000, generation = GenerationMode.RANDOMIZED)
  void randomJsonReadsAsACatalogOrFailsNamingTheFile(@ForAll("randomJson") byte[] file)
      throws Exception {
    check(file);
  }

  @Property(tries = 100_000, generation = GenerationMode.RANDOMIZED)
  @Tag("soak")
  @PropertyTimeout(seconds = 1200)
  void manyMoreMutatedCatalogFiles(@ForAll("mutated") byte[] file) throws Exception {
    check(file);
  }

  static void check(byte[] bytes) throws Exception {
    Bounded.call(
        CASE_BOUND,
        "reading a fuzzed catalog",
        () -> {
          Path file = home.resolve(CatalogStore.CATALOG_FILE);
          Files.write(file, bytes);
          CatalogStore store = CatalogStore.open(ProtochainHome.of(home));
          String outcome;
          try {
            StoredCatalog read = store.read();
            assertEquals(List.of(), read.catalog().problems(), "a catalog read is valid");
            StoredCatalog again = CatalogJson.read(CatalogJson.write(read), "rewritten");
            assertEquals(read, again, "a catalog read writes back to itself");
            outcome = "valid";
          } catch (CatalogInvalidException e) {
            String message = e.getMessage();
            assertTrue(
                message.startsWith("catalog invalid (" + file + "):\n\n1) "),
                () -> "names the file: " + message);
            int n = e.problems().size();
            assertTrue(
                message.endsWith("\n\n" + n + (n == 1 ? " problem" : " problems")),
                () -> "counts: " + message);
            for (CatalogProblem p : e.problems()) {
              assertTrue(
                  !p.message().isBlank() && p.message().length() <= LONGEST_PROBLEM,
                  () ->
                      "one bounded sentence per problem ("
                          + p.message().length()
                          + " chars): "
                          + p.message().substring(0, Math.min(300, p.message().length())));
            }
            outcome = e.problems().get(0).kind().name();
          }
          assertArrayEquals(bytes, Files.readAllBytes(file), "a read never changes the file");
          try (Stream<Path> left = Files.list(home)) {
            assertEquals(
                List.of(file), left.toList(), "a read of an existing file writes nothing else");
          }
          OUTCOMES.computeIfAbsent(outcome, k -> new LongAdder()).increment();
          CASES.incrementAndGet();
          return null;
        });
  }

  /* ---- mutations of valid files ---- */

  /**
   * One change to a file; {@code at}, {@code length} and {@code value} are reduced modulo what
   * fits.
   */
  record Mutation(int kind, int at, int length, int value) {}

  @Provide
  Arbitrary<byte[]> mutated() {
    Arbitrary<Mutation> mutation =
        Combinators.combine(
                Arbitraries.integers().between(0, 10),
                Arbitraries.integers().between(0, 1 << 20),
                Arbitraries.integers().between(1, 64),
                Arbitraries.integers().between(0, 1 << 20))
            .as(Mutation::new);
    return Combinators.combine(
            Arbitraries.integers().between(0, 3), mutation.list().ofMinSize(1).ofMaxSize(4))
        .as(
            (seed, mutations) -> {
              byte[] bytes = seeds.get(seed);
              for (Mutation m : mutations) {
                bytes = apply(bytes, m);
              }
              return bytes;
            });
  }

  static byte[] apply(byte[] bytes, Mutation m) {
    int n = bytes.length;
    int at = n == 0 ? 0 : m.at() % n;
    Random random = new Random(m.value());
    switch (m.kind()) {
      case 0:
        { // bit flip
          if (n == 0) {
            return bytes;
          }
          byte[] out = bytes.clone();
          out[at] ^= (byte) (1 << (m.value() % 8));
          return out;
        }
      case 1: // truncation
        return Arrays.copyOf(bytes, m.at() % (n + 1));
      case 2:
        { // bytes deleted
          int end = Math.min(n, at + m.length());
          return concat(Arrays.copyOf(bytes, at), Arrays.copyOfRange(bytes, end, n));
        }
      case 3:
        { // random bytes inserted
          byte[] noise = new byte[m.length()];
          random.nextBytes(noise);
          return concat(concat(Arrays.copyOf(bytes, at), noise), Arrays.copyOfRange(bytes, at, n));
        }
      case 4:
        { // a range repeated
          int end = Math.min(n, at + m.length());
          return concat(Arrays.copyOf(bytes, end), Arrays.copyOfRange(bytes, at, n));
        }
      case 5:
        { // a key repeated, with a value of its own
          int brace = nth(bytes, (byte) '{', m.at());
          if (brace < 0) {
            return bytes;
          }
          String key = FIELDS.get(m.value() % FIELDS.size());
          byte[] dup =
              ("\"" + key + "\": " + value(random, m.length()) + ", ")
                  .getBytes(StandardCharsets.UTF_8);
          return concat(
              concat(Arrays.copyOf(bytes, brace + 1), dup),
              Arrays.copyOfRange(bytes, brace + 1, n));
        }
      case 6:
        { // a number made huge
          int digit = nthDigitRun(bytes, m.at());
          if (digit < 0) {
            return bytes;
          }
          String huge =
              switch (m.value() % 6) {
                case 0 -> "9".repeat(m.length() * 40);
                case 1 -> "2147483648";
                case 2 -> "9223372036854775808";
                case 3 -> "1e400";
                case 4 -> "-0";
                default -> "1.5";
              };
          int end = digit;
          while (end < n && Character.isDigit(bytes[end])) {
            end++;
          }
          return concat(
              concat(Arrays.copyOf(bytes, digit), huge.getBytes(StandardCharsets.US_ASCII)),
              Arrays.copyOfRange(bytes, end, n));
        }
      default: // a tree edit: a field removed, a value replaced by another type, nested deep, or a
        // long string
        return treeEdit(bytes, m, random);
    }
  }

  static byte[] treeEdit(byte[] bytes, Mutation m, Random random) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException notJsonAnyMore) {
      return bytes;
    }
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    if (containers.isEmpty()) {
      return bytes;
    }
    JsonNode target = containers.get(m.at() % containers.size());
    JsonNode replacement =
        switch (m.kind()) {
          case 7 -> null;
          case 8 -> tree(value(random, m.length()));
          case 9 ->
              JsonNodeFactory.instance.textNode(
                  NEST); // replaced below: Jackson writes at most 1,000 levels
          default -> JsonNodeFactory.instance.textNode("ü\u0000\"\\".repeat(m.length() * 20));
        };
    if (target instanceof ObjectNode o && o.size() > 0) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      String name = names.get(m.value() % names.size());
      if (replacement == null) {
        o.remove(name);
      } else {
        o.set(name, replacement);
      }
    } else if (target instanceof ArrayNode a && a.size() > 0) {
      int i = m.value() % a.size();
      if (replacement == null) {
        a.remove(i);
      } else {
        a.set(i, replacement);
      }
    }
    try {
      int depth = m.value() % 2_500;
      return JSON.writeValueAsString(root)
          .replace("\"" + NEST + "\"", "[".repeat(depth) + "1" + "]".repeat(depth))
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        collect(it.next(), out);
      }
    }
  }

  static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns a JSON value of a kind picked at random: the wrong type for most fields. */
  static String value(Random random, int size) {
    switch (random.nextInt(12)) {
      case 0:
        return "null";
      case 1:
        return "true";
      case 2:
        return "-1";
      case 3:
        return "0";
      case 4:
        return "4294967296";
      case 5:
        return "1.0";
      case 6:
        return "\"" + "x".repeat(size) + "\"";
      case 7:
        return "\"12\"";
      case 8:
        return "[]";
      case 9:
        return "{}";
      case 10:
        return "[null, 1, \"a\"]";
      default:
        return "{\"a\": \"b\"}";
    }
  }

  static int nth(byte[] bytes, byte b, int n) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        at.add(i);
      }
    }
    return at.isEmpty() ? -1 : at.get(n % at.size());
  }

  static int nthDigitRun(byte[] bytes, int n) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      if (Character.isDigit(bytes[i])
          && (i == 0 || (!Character.isLetterOrDigit(bytes[i - 1]) && bytes[i - 1] != '-'))) {
        at.add(i);
      }
    }
    return at.isEmpty() ? -1 : at.get(n % at.size());
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /* ---- random JSON ---- */

  /**
   * Random JSON, read from a list of numbers that picks each value in turn (so that shrinking the
   * list shrinks the document): objects with catalog field names and others, arrays, numbers (huge
   * ones too), strings, booleans and nulls; half of them wrapped as a catalog file's top level.
   */
  @Provide
  Arbitrary<byte[]> randomJson() {
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 1 << 16).list().ofMaxSize(80))
        .as(
            (wrapped, program) -> {
              Iterator<Integer> next = program.iterator();
              String json = json(next, 0);
              if (wrapped) {
                json =
                    "{\"schemaVersion\": 1, \"generation\": "
                        + json(next, 1)
                        + ", \"entries\": ["
                        + json
                        + "]}";
              }
              return json.getBytes(StandardCharsets.UTF_8);
            });
  }

  static String json(Iterator<Integer> next, int depth) {
    int pick = next.hasNext() ? next.next() : 0;
    int size = pick >>> 4;
    switch (depth > 6 ? 4 + pick % 10 : pick % 14) {
      case 0:
      case 1:
        {
          List<String> fields = new ArrayList<>();
          for (int i = 0; i < size % 6; i++) {
            int k = next.hasNext() ? next.next() : 0;
            String key = k % 3 == 0 ? "k" + k : FIELDS.get(k % FIELDS.size());
            fields.add(quote(key) + ": " + json(next, depth + 1));
          }
          return "{" + String.join(", ", fields) + "}";
        }
      case 2:
      case 3:
        {
          List<String> items = new ArrayList<>();
          for (int i = 0; i < size % 5; i++) {
            items.add(json(next, depth + 1));
          }
          return "[" + String.join(", ", items) + "]";
        }
      case 4:
        return String.valueOf(size - 2048);
      case 5:
        return "9".repeat(1 + size % 40);
      case 6:
        return "-" + size + "." + pick + "e" + (size % 400);
      case 7:
        return quote(new String(Character.toChars(0x20 + size % 0x3000)).repeat(1 + pick % 9));
      case 8:
        return quote(
            List.of(
                    "INET",
                    "STREAM",
                    "TCP",
                    "GRACEFUL_CLOSE",
                    "tcp4",
                    "e85577c8-77f9-4b92-99fb-3692a01855bd")
                .get(size % 6));
      case 9:
        return "true";
      case 10:
        return "null";
      case 11:
        return String.valueOf(1001 + size % 8);
      case 12:
        return "[" + (1001 + size % 8) + ", " + (2001 + pick % 3) + "]";
      default:
        return "false";
    }
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
