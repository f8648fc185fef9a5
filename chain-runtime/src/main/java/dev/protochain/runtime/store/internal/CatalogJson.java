package dev.protochain.runtime.store.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Protocol;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.SocketType;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.CatalogInvalidException;
import dev.protochain.runtime.CatalogProblem;
import dev.protochain.runtime.PluginRecord;
import dev.protochain.runtime.store.StoredCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The catalog file format, schema version {@value #SCHEMA_VERSION}, read and written with Jackson:
 *
 * <pre>
 * {
 *   "schemaVersion": 1,
 *   "generation": 4,
 *   "entries": [ {
 *     "id": 3001, "name": "trace-tcp4", "providerId": "b103522e-...", "family": "INET",
 *     "type": "STREAM", "protocol": "TCP", "flags": [ "GUARANTEED_DELIVERY", ... ],
 *     "version": 2, "chain": [ 2001, 1001 ], "settings": { }
 *   }, ... ],
 *   "plugins": [ {
 *     "providerId": "5c588703-...", "name": "proxy-protocol", "version": "1.0.0",
 *     "file": "9f2c...e1.jar", "sha256": "9f2c...e1"
 *   } ]
 * }</pre>
 *
 * <p>Reading is strict: every field is required, unknown fields, duplicate keys, trailing content
 * and numbers in strings are refused, and the catalog must pass {@link Catalog#problems()}. Every
 * problem found in one pass is reported together, each naming the entry or field. This class is
 * thread-safe.
 */
public final class CatalogJson {

  /** The most characters of a value a problem quotes. */
  static final int LONGEST_QUOTE = 60;

  /** The schema version this release reads and writes. */
  public static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .defaultPrettyPrinter(
              new DefaultPrettyPrinter()
                  .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                  .withSeparators(
                      com.fasterxml.jackson.core.util.Separators.createDefaultInstance()
                          .withObjectFieldValueSpacing(
                              com.fasterxml.jackson.core.util.Separators.Spacing.AFTER)))
          .build();

  /** The file's top level; {@code plugins} may be absent (no plugin installed). */
  @JsonPropertyOrder({"schemaVersion", "generation", "entries", "plugins"})
  record FileJson(
      Integer schemaVersion,
      Long generation,
      List<EntryJson> entries,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PluginJson> plugins) {}

  /** One installed plugin: its provider and its jar in the plugin store, pinned by SHA-256. */
  @JsonPropertyOrder({"providerId", "name", "version", "file", "sha256"})
  record PluginJson(String providerId, String name, String version, String file, String sha256) {}

  /** One entry; every field is boxed so that a missing one is reported by name, not defaulted. */
  @JsonPropertyOrder({
    "id",
    "name",
    "providerId",
    "family",
    "type",
    "protocol",
    "flags",
    "version",
    "chain",
    "settings"
  })
  record EntryJson(
      Integer id,
      String name,
      String providerId,
      String family,
      String type,
      String protocol,
      List<String> flags,
      Integer version,
      List<Integer> chain,
      Map<String, String> settings) {}

  private CatalogJson() {}

  /** Returns the file's bytes for {@code stored}: UTF-8 JSON ending in a newline. */
  public static byte[] write(StoredCatalog stored) {
    List<EntryJson> entries = new ArrayList<>();
    for (CatalogEntry e : stored.catalog().entries()) {
      entries.add(
          new EntryJson(
              e.id(),
              e.name(),
              e.providerId().toString(),
              e.family().name(),
              e.type().name(),
              e.protocol().name(),
              e.flags().stream().map(Enum::name).toList(),
              e.version(),
              e.chain().ids(),
              new TreeMap<>(e.settings())));
    }
    try {
      List<PluginJson> plugins = new ArrayList<>();
      for (PluginRecord p : stored.catalog().plugins()) {
        plugins.add(
            new PluginJson(p.providerId().toString(), p.name(), p.version(), p.file(), p.sha256()));
      }
      String json =
          MAPPER.writeValueAsString(
              new FileJson(SCHEMA_VERSION, stored.generation(), entries, plugins));
      return (json + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(
          "writing a catalog as JSON", e); // records of strings and numbers always map
    }
  }

  /**
   * Reads a catalog file's bytes.
   *
   * @param where the file, named in the problems
   * @throws CatalogInvalidException listing every problem: the file is empty, truncated or not
   *     JSON; it has no or another schema version; a field is missing, unknown or of the wrong
   *     type; or the catalog fails {@link Catalog#problems()}
   */
  public static StoredCatalog read(byte[] bytes, String where) throws CatalogInvalidException {
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonParseException e) {
      // The parser reports an end of input inside a value as JsonEOFException, and between entries
      // as a plain parse error; either way the error sits at the very end of the bytes.
      if (e instanceof JsonEOFException || e.getLocation().getByteOffset() >= bytes.length) {
        throw invalid(
            where,
            CatalogProblem.Kind.UNREADABLE,
            "the file ends in the middle of its JSON ("
                + at(e.getLocation())
                + "); it is truncated.");
      }
      throw invalid(
          where,
          CatalogProblem.Kind.UNREADABLE,
          "the file is not JSON: " + e.getOriginalMessage() + " (" + at(e.getLocation()) + ").");
    } catch (IOException e) {
      throw invalid(
          where, CatalogProblem.Kind.UNREADABLE, "the file is not JSON: " + e.getMessage() + ".");
    }
    if (root == null || root.isMissingNode()) {
      throw invalid(where, CatalogProblem.Kind.UNREADABLE, "the file is empty.");
    }
    if (!root.isObject()) {
      throw invalid(
          where,
          CatalogProblem.Kind.MALFORMED,
          "the file holds a JSON "
              + root.getNodeType().name().toLowerCase(Locale.ROOT)
              + " (expected: an object with schemaVersion, generation and entries).");
    }
    JsonNode schema = root.get("schemaVersion");
    if (schema == null) {
      throw invalid(
          where,
          CatalogProblem.Kind.UNSUPPORTED_SCHEMA,
          "the file has no schemaVersion (expected: " + SCHEMA_VERSION + ").");
    }
    if (!schema.isInt() || schema.intValue() != SCHEMA_VERSION) {
      throw invalid(
          where,
          CatalogProblem.Kind.UNSUPPORTED_SCHEMA,
          "the file has schema version "
              + abbreviate(schema.toString())
              + "; this release of protochain reads schema version "
              + SCHEMA_VERSION
              + " only.");
    }
    FileJson file;
    try {
      file = MAPPER.treeToValue(root, FileJson.class);
    } catch (JsonMappingException e) {
      throw invalid(where, CatalogProblem.Kind.MALFORMED, mappingProblem(e, root));
    } catch (JsonProcessingException e) {
      throw invalid(where, CatalogProblem.Kind.MALFORMED, e.getOriginalMessage() + ".");
    }
    List<CatalogProblem> problems = new ArrayList<>();
    if (file.generation() == null) {
      problems.add(malformed("the file has no generation."));
    } else if (file.generation() < 1) {
      problems.add(
          malformed("the file has generation " + file.generation() + " (expected: >= 1)."));
    }
    List<CatalogEntry> entries = new ArrayList<>();
    if (file.entries() == null) {
      problems.add(malformed("the file has no entries."));
    } else {
      for (int i = 0; i < file.entries().size(); i++) {
        CatalogEntry e = entry(file.entries().get(i), i, problems);
        if (e != null) {
          entries.add(e);
        }
      }
    }
    List<PluginRecord> plugins = new ArrayList<>();
    if (file.plugins() != null) {
      for (int i = 0; i < file.plugins().size(); i++) {
        PluginRecord p = plugin(file.plugins().get(i), i, problems);
        if (p != null) {
          plugins.add(p);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new CatalogInvalidException(where, problems);
    }
    Catalog catalog = Catalog.of(entries, plugins).checkValid(where);
    return new StoredCatalog(catalog, file.generation());
  }

  private static CatalogEntry entry(EntryJson e, int index, List<CatalogProblem> problems) {
    String at = "entries[" + index + "]";
    if (e == null) {
      problems.add(malformed(at + " is null (expected: an object)."));
      return null;
    }
    int before = problems.size();
    required(e.id(), at, "id", problems);
    required(e.name(), at, "name", problems);
    UUID providerId =
        parse(e.providerId(), at, "providerId", CatalogJson::uuid, "a UUID", problems);
    AddressFamily family =
        parse(
            e.family(),
            at,
            "family",
            AddressFamily::valueOf,
            names(AddressFamily.values()),
            problems);
    SocketType type =
        parse(e.type(), at, "type", SocketType::valueOf, names(SocketType.values()), problems);
    Protocol protocol =
        parse(e.protocol(), at, "protocol", Protocol::valueOf, names(Protocol.values()), problems);
    EnumSet<ServiceFlag> flags = EnumSet.noneOf(ServiceFlag.class);
    if (required(e.flags(), at, "flags", problems)) {
      for (String f : e.flags()) {
        ServiceFlag flag =
            parse(f, at, "flags", ServiceFlag::valueOf, names(ServiceFlag.values()), problems);
        if (flag != null) {
          flags.add(flag);
        }
      }
    }
    required(e.version(), at, "version", problems);
    if (required(e.chain(), at, "chain", problems) && e.chain().contains(null)) {
      problems.add(malformed(at + ".chain holds null (expected: entry ids)."));
    }
    if (required(e.settings(), at, "settings", problems) && e.settings().containsValue(null)) {
      problems.add(malformed(at + ".settings holds null (expected: string values)."));
    }
    if (problems.size() > before) {
      return null;
    }
    return CatalogEntry.builder()
        .id(e.id())
        .name(e.name())
        .providerId(providerId)
        .serves(family, type, protocol)
        .flags(flags)
        .version(e.version())
        .chain(ProtocolChain.of(e.chain()))
        .settings(e.settings())
        .build();
  }

  private static PluginRecord plugin(PluginJson p, int index, List<CatalogProblem> problems) {
    String at = "plugins[" + index + "]";
    if (p == null) {
      problems.add(malformed(at + " is null (expected: an object)."));
      return null;
    }
    int before = problems.size();
    UUID providerId =
        parse(p.providerId(), at, "providerId", CatalogJson::uuid, "a UUID", problems);
    required(p.name(), at, "name", problems);
    required(p.version(), at, "version", problems);
    String sha =
        parse(p.sha256(), at, "sha256", CatalogJson::sha256, "64 lower-case hex digits", problems);
    String file =
        parse(
            p.file(),
            at,
            "file",
            CatalogJson::fileName,
            "a file name in the plugin store",
            problems);
    if (problems.size() > before) {
      return null;
    }
    return new PluginRecord(providerId, p.name(), p.version(), file, sha);
  }

  private static String sha256(String text) {
    if (!text.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(text);
    }
    return text;
  }

  private static String fileName(String text) {
    if (!text.matches("[0-9a-f]{64}\\.jar")) {
      throw new IllegalArgumentException(
          text); // never a path: the store's directory is the only place
    }
    return text;
  }

  private static boolean required(
      Object value, String at, String field, List<CatalogProblem> problems) {
    if (value == null) {
      problems.add(malformed(at + " has no " + field + "."));
      return false;
    }
    return true;
  }

  private static <T> T parse(
      String value,
      String at,
      String field,
      Function<String, T> parser,
      String expected,
      List<CatalogProblem> problems) {
    if (!required(value, at, field, problems)) {
      return null;
    }
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException x) {
      problems.add(
          malformed(
              at + "." + field + " is '" + abbreviate(value) + "' (expected: " + expected + ")."));
      return null;
    }
  }

  private static UUID uuid(String text) {
    UUID id = UUID.fromString(text);
    if (!id.toString().equals(text.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(text); // fromString accepts short groups such as 1-2-3-4-5
    }
    return id;
  }

  private static String names(Enum<?>[] values) {
    return "one of " + Arrays.stream(values).map(Enum::name).collect(Collectors.joining(", "));
  }

  /** Returns {@code entries[3].id: expected a whole number, found "abc".} for a binding failure. */
  private static String mappingProblem(JsonMappingException e, JsonNode root) {
    List<JsonMappingException.Reference> path = e.getPath();
    if (e instanceof PropertyBindingException) {
      PropertyBindingException p = (PropertyBindingException) e;
      String known =
          p.getKnownPropertyIds() == null
              ? ""
              : " (expected: "
                  + p.getKnownPropertyIds().stream()
                      .map(Object::toString)
                      .sorted()
                      .collect(Collectors.joining(", "))
                  + ")";
      String where = path(path.subList(0, Math.max(0, path.size() - 1)));
      return (where.isEmpty() ? "the file" : where)
          + " has the unknown field '"
          + abbreviate(p.getPropertyName())
          + "'"
          + known
          + ".";
    }
    String where = path(path);
    JsonNode found = root.at(pointer(path));
    String expected =
        e instanceof MismatchedInputException
                && ((MismatchedInputException) e).getTargetType() != null
            ? describe(((MismatchedInputException) e).getTargetType())
            : "another value";
    return (where.isEmpty() ? "the file" : where)
        + ": expected "
        + expected
        + (found.isMissingNode() ? "" : ", found " + abbreviate(found.toString()))
        + ".";
  }

  /**
   * Returns {@code text}, or its first {@value #LONGEST_QUOTE} characters and its length when it is
   * longer: a problem is one sentence, and a value a file holds can be any size.
   */
  static String abbreviate(String text) {
    if (text.length() <= LONGEST_QUOTE) {
      return text;
    }
    int end =
        Character.isHighSurrogate(text.charAt(LONGEST_QUOTE - 1))
            ? LONGEST_QUOTE - 1
            : LONGEST_QUOTE;
    return text.substring(0, end) + "... (" + text.length() + " characters)";
  }

  private static String describe(Class<?> type) {
    if (type == Integer.class || type == Long.class || type == int.class || type == long.class) {
      return "a whole number";
    } else if (type == String.class) {
      return "a string";
    } else if (List.class.isAssignableFrom(type)) {
      return "an array";
    } else if (Map.class.isAssignableFrom(type)
        || type == EntryJson.class
        || type == FileJson.class) {
      return "an object";
    }
    return type.getSimpleName();
  }

  private static String path(List<JsonMappingException.Reference> path) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : path) {
      if (r.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static JsonPointer pointer(List<JsonMappingException.Reference> path) {
    JsonPointer p = JsonPointer.empty();
    for (JsonMappingException.Reference r : path) {
      if (r.getFieldName() != null) {
        p = p.appendProperty(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        p = p.appendIndex(r.getIndex());
      }
    }
    return p;
  }

  private static String at(JsonLocation location) {
    return "line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  private static CatalogProblem malformed(String message) {
    return new CatalogProblem(CatalogProblem.Kind.MALFORMED, message, List.of());
  }

  private static CatalogInvalidException invalid(
      String where, CatalogProblem.Kind kind, String message) {
    return new CatalogInvalidException(
        where, List.of(new CatalogProblem(kind, message, List.of())));
  }
}
