package dev.protochain.runtime.store.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
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
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * The catalog file format, schema version {@value #SCHEMA_VERSION}, read and written with Jackson's
 * streaming parser and generator (no data binding: the CLI's {@code catalog show} starts sooner
 * without it):
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
 * and numbers in strings are refused, and the catalog must pass {@link Catalog#problems()}. One
 * leniency stays from the data binding this reader replaced: a number or a boolean where a string
 * is expected is read as its text. The file's shape is checked in document order and the first
 * field of a wrong type or name is the problem; past that, every problem found in one pass is
 * reported together, each naming the entry or field. This class is thread-safe.
 */
public final class CatalogJson {

  /** The most characters of a value a problem quotes. */
  static final int LONGEST_QUOTE = 60;

  /** The schema version this release reads and writes. */
  public static final int SCHEMA_VERSION = 1;

  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** The fields of the file's top level, an entry and a plugin, in the order they are written. */
  private static final List<String> FILE_FIELDS =
      List.of("schemaVersion", "generation", "entries", "plugins");

  private static final List<String> ENTRY_FIELDS =
      List.of(
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

  private static final List<String> PLUGIN_FIELDS =
      List.of("providerId", "name", "version", "file", "sha256");

  /** The file's top level; {@code plugins} may be absent (no plugin installed). */
  private record FileJson(
      Integer schemaVersion, Long generation, List<EntryJson> entries, List<PluginJson> plugins) {}

  /** One installed plugin: its provider and its jar in the plugin store, pinned by SHA-256. */
  private record PluginJson(
      String providerId, String name, String version, String file, String sha256) {}

  /** One entry; every field is boxed so that a missing one is reported by name, not defaulted. */
  private record EntryJson(
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

  /** The first field of the file whose type or name is wrong, as a problem's message. */
  private static final class Misfit extends Exception {
    private static final long serialVersionUID = 1L;

    Misfit(String message) {
      super(message, null, false, false);
    }
  }

  private CatalogJson() {}

  /** Returns the file's bytes for {@code stored}: UTF-8 JSON ending in a newline. */
  public static byte[] write(StoredCatalog stored) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.setPrettyPrinter(
          new DefaultPrettyPrinter()
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withSeparators(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));
      g.writeStartObject();
      g.writeNumberField("schemaVersion", SCHEMA_VERSION);
      g.writeNumberField("generation", stored.generation());
      g.writeArrayFieldStart("entries");
      for (CatalogEntry e : stored.catalog().entries()) {
        g.writeStartObject();
        g.writeNumberField("id", e.id());
        g.writeStringField("name", e.name());
        g.writeStringField("providerId", e.providerId().toString());
        g.writeStringField("family", e.family().name());
        g.writeStringField("type", e.type().name());
        g.writeStringField("protocol", e.protocol().name());
        g.writeArrayFieldStart("flags");
        for (ServiceFlag f : e.flags()) {
          g.writeString(f.name());
        }
        g.writeEndArray();
        g.writeNumberField("version", e.version());
        g.writeArrayFieldStart("chain");
        for (int id : e.chain().ids()) {
          g.writeNumber(id);
        }
        g.writeEndArray();
        g.writeObjectFieldStart("settings");
        for (Map.Entry<String, String> s : new TreeMap<>(e.settings()).entrySet()) {
          g.writeStringField(s.getKey(), s.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      if (!stored.catalog().plugins().isEmpty()) {
        g.writeArrayFieldStart("plugins");
        for (PluginRecord p : stored.catalog().plugins()) {
          g.writeStartObject();
          g.writeStringField("providerId", p.providerId().toString());
          g.writeStringField("name", p.name());
          g.writeStringField("version", p.version());
          g.writeStringField("file", p.file());
          g.writeStringField("sha256", p.sha256());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "writing a catalog as JSON", e); // strings and numbers to a StringWriter always write
    }
    return (out + "\n").getBytes(StandardCharsets.UTF_8);
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
    Object root;
    String unreadable = null;
    try (JsonParser p = FACTORY.createParser(bytes)) {
      JsonToken first = p.nextToken();
      root = first == null ? null : value(p, first);
      JsonToken trailing = first == null ? null : p.nextToken();
      if (first == null) {
        unreadable = "the file is empty.";
      } else if (trailing != null) {
        // As the data binding this reader replaced said it, word for word.
        unreadable =
            "the file is not JSON: Trailing token (of type "
                + trailing
                + ") found after value (bound as `com.fasterxml.jackson.databind.JsonNode`): not"
                + " allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`\n at "
                + p.currentTokenLocation()
                + ".";
      }
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
    if (unreadable != null) {
      throw invalid(where, CatalogProblem.Kind.UNREADABLE, unreadable);
    }
    if (!(root instanceof Map)) {
      throw invalid(
          where,
          CatalogProblem.Kind.MALFORMED,
          "the file holds a JSON "
              + kind(root)
              + " (expected: an object with schemaVersion, generation and entries).");
    }
    Map<?, ?> top = (Map<?, ?>) root;
    if (!top.containsKey("schemaVersion")) {
      throw invalid(
          where,
          CatalogProblem.Kind.UNSUPPORTED_SCHEMA,
          "the file has no schemaVersion (expected: " + SCHEMA_VERSION + ").");
    }
    Object schema = top.get("schemaVersion");
    if (!(schema instanceof Integer) || (Integer) schema != SCHEMA_VERSION) {
      throw invalid(
          where,
          CatalogProblem.Kind.UNSUPPORTED_SCHEMA,
          "the file has schema version "
              + abbreviate(compact(schema))
              + "; this release of protochain reads schema version "
              + SCHEMA_VERSION
              + " only.");
    }
    FileJson file;
    try {
      file = file(top);
    } catch (Misfit e) {
      throw invalid(where, CatalogProblem.Kind.MALFORMED, e.getMessage());
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

  /* ---- the JSON as values: objects as maps in file order, arrays as lists ---- */

  /**
   * Returns the value that starts at {@code token}: a map, a list, a string, an Integer, Long or
   * BigInteger (the smallest that holds it), a Double, a Boolean, or null.
   */
  private static Object value(JsonParser p, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT:
        Map<String, Object> object = new LinkedHashMap<>();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
          object.put(name, value(p, next(p)));
        }
        return object;
      case START_ARRAY:
        List<Object> array = new ArrayList<>();
        for (JsonToken t = next(p); t != JsonToken.END_ARRAY; t = next(p)) {
          array.add(value(p, t));
        }
        return array;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new JsonParseException(p, "Unexpected token " + token);
    }
  }

  private static JsonToken next(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) { // the parser reports it itself; this is the guard
      throw new JsonEOFException(p, null, "Unexpected end-of-input");
    }
    return t;
  }

  /** Returns {@code value} as compact JSON. */
  private static String compact(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // values the parser made, to a StringWriter
    }
    return out.toString();
  }

  private static void write(JsonGenerator g, Object value) throws IOException {
    if (value instanceof Map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> f : ((Map<?, ?>) value).entrySet()) {
        g.writeFieldName((String) f.getKey());
        write(g, f.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof List) {
      g.writeStartArray();
      for (Object v : (List<?>) value) {
        write(g, v);
      }
      g.writeEndArray();
    } else if (value instanceof String) {
      g.writeString((String) value);
    } else if (value instanceof Integer) {
      g.writeNumber((Integer) value);
    } else if (value instanceof Long) {
      g.writeNumber((Long) value);
    } else if (value instanceof BigInteger) {
      g.writeNumber((BigInteger) value);
    } else if (value instanceof Double) {
      g.writeNumber((Double) value);
    } else if (value instanceof Boolean) {
      g.writeBoolean((Boolean) value);
    } else {
      g.writeNull();
    }
  }

  /** Returns {@code object}, {@code array}, {@code string}, ... for {@code value}. */
  private static String kind(Object value) {
    if (value instanceof List) {
      return "array";
    } else if (value instanceof String) {
      return "string";
    } else if (value instanceof Number) {
      return "number";
    } else if (value instanceof Boolean) {
      return "boolean";
    }
    return value == null ? "null" : "object";
  }

  /* ---- the values as the file's records, in file order; the first misfit is the problem ---- */

  private static FileJson file(Map<?, ?> top) throws Misfit {
    Integer schemaVersion = null;
    Long generation = null;
    List<EntryJson> entries = null;
    List<PluginJson> plugins = null;
    for (Map.Entry<?, ?> f : top.entrySet()) {
      String name = (String) f.getKey();
      String at = field("", name);
      Object v = f.getValue();
      switch (name) {
        case "schemaVersion" -> schemaVersion = integer(v, at);
        case "generation" -> generation = whole(v, at);
        case "entries" -> entries = list(v, at, CatalogJson::entryJson);
        case "plugins" -> plugins = list(v, at, CatalogJson::pluginJson);
        default -> throw unknown("", name, FILE_FIELDS);
      }
    }
    return new FileJson(schemaVersion, generation, entries, plugins);
  }

  private static EntryJson entryJson(Object value, String at) throws Misfit {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map)) {
      throw misfit(at, "an object", value);
    }
    Integer id = null;
    String name = null;
    String providerId = null;
    String family = null;
    String type = null;
    String protocol = null;
    List<String> flags = null;
    Integer version = null;
    List<Integer> chain = null;
    Map<String, String> settings = null;
    for (Map.Entry<?, ?> f : ((Map<?, ?>) value).entrySet()) {
      String key = (String) f.getKey();
      String in = field(at, key);
      Object v = f.getValue();
      switch (key) {
        case "id" -> id = integer(v, in);
        case "name" -> name = string(v, in);
        case "providerId" -> providerId = string(v, in);
        case "family" -> family = string(v, in);
        case "type" -> type = string(v, in);
        case "protocol" -> protocol = string(v, in);
        case "flags" -> flags = list(v, in, CatalogJson::string);
        case "version" -> version = integer(v, in);
        case "chain" -> chain = list(v, in, CatalogJson::integer);
        case "settings" -> settings = settings(v, in);
        default -> throw unknown(at, key, ENTRY_FIELDS);
      }
    }
    return new EntryJson(
        id, name, providerId, family, type, protocol, flags, version, chain, settings);
  }

  private static PluginJson pluginJson(Object value, String at) throws Misfit {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map)) {
      throw misfit(at, "PluginJson", value); // as the data binding this reader replaced said it
    }
    String providerId = null;
    String name = null;
    String version = null;
    String file = null;
    String sha256 = null;
    for (Map.Entry<?, ?> f : ((Map<?, ?>) value).entrySet()) {
      String key = (String) f.getKey();
      String in = field(at, key);
      Object v = f.getValue();
      switch (key) {
        case "providerId" -> providerId = string(v, in);
        case "name" -> name = string(v, in);
        case "version" -> version = string(v, in);
        case "file" -> file = string(v, in);
        case "sha256" -> sha256 = string(v, in);
        default -> throw unknown(at, key, PLUGIN_FIELDS);
      }
    }
    return new PluginJson(providerId, name, version, file, sha256);
  }

  /** Reads one element of a list. */
  private interface Element<T> {
    T read(Object value, String at) throws Misfit;
  }

  private static <T> List<T> list(Object value, String at, Element<T> element) throws Misfit {
    if (value == null) {
      return null;
    }
    if (!(value instanceof List)) {
      throw misfit(at, "an array", value);
    }
    List<?> values = (List<?>) value;
    List<T> out = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      out.add(element.read(values.get(i), at + "[" + i + "]"));
    }
    return out;
  }

  private static Map<String, String> settings(Object value, String at) throws Misfit {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map)) {
      throw misfit(at, "an object", value);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> f : ((Map<?, ?>) value).entrySet()) {
      String key = (String) f.getKey();
      out.put(key, string(f.getValue(), field(at, key)));
    }
    return out;
  }

  /** A string; a number or a boolean stands for its text, as the data binding took it. */
  private static String string(Object value, String at) throws Misfit {
    if (value == null || value instanceof String) {
      return (String) value;
    }
    if (value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    throw misfit(at, "a string", value);
  }

  private static Integer integer(Object value, String at) throws Misfit {
    if (value == null || value instanceof Integer) {
      return (Integer) value;
    }
    throw misfit(
        at, value instanceof Long || value instanceof BigInteger ? TOO_LARGE : WHOLE, value);
  }

  private static Long whole(Object value, String at) throws Misfit {
    if (value == null || value instanceof Long) {
      return (Long) value;
    }
    if (value instanceof Integer) {
      return ((Integer) value).longValue();
    }
    throw misfit(at, value instanceof BigInteger ? TOO_LARGE : WHOLE, value);
  }

  private static final String WHOLE = "a whole number";

  /** What a whole number too large for its field is said to need (as the data binding said). */
  private static final String TOO_LARGE = "another value";

  /** Returns {@code entries[3].id: expected a whole number, found "abc".} */
  private static Misfit misfit(String at, String expected, Object found) {
    return new Misfit(
        (at.isEmpty() ? "the file" : at)
            + ": expected "
            + expected
            + ", found "
            + abbreviate(compact(found))
            + ".");
  }

  /** Returns {@code entries[2] has the unknown field 'colour' (expected: chain, ...).} */
  private static Misfit unknown(String at, String name, List<String> known) {
    return new Misfit(
        (at.isEmpty() ? "the file" : at)
            + " has the unknown field '"
            + abbreviate(name)
            + "' (expected: "
            + String.join(", ", new TreeSet<>(known))
            + ").");
  }

  private static String field(String at, String name) {
    return at.isEmpty() ? name : at + "." + name;
  }

  /* ---- the records as a catalog: every problem found ---- */

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
    StringBuilder sb = new StringBuilder("one of ");
    for (int i = 0; i < values.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(values[i].name());
    }
    return sb.toString();
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
