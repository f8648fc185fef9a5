package dev.protochain.runtime.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.protochain.runtime.CatalogInvalidException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link CatalogFuzzTest} found, kept as plain tests: a problem quoted a value of the file
 * whole, however long, so one line of an error could run to megabytes. Values are now cut short.
 */
@Timeout(30)
class CatalogFuzzRegressionTest {

  @TempDir Path dir;

  String refusal(String json) throws Exception {
    Path file = dir.resolve(CatalogStore.CATALOG_FILE);
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Files.write(file, bytes);
    CatalogInvalidException e =
        assertThrows(
            CatalogInvalidException.class, () -> CatalogStore.open(ProtochainHome.of(dir)).read());
    assertArrayEquals(bytes, Files.readAllBytes(file));
    return e.getMessage().replace(file.toString(), "FILE");
  }

  static String entry(String name, String family) {
    return "{\"id\": 1001, \"name\": \""
        + name
        + "\", \"providerId\": \"e85577c8-77f9-4b92-99fb-3692a01855bd\", "
        + "\"family\": \""
        + family
        + "\", \"type\": \"STREAM\", \"protocol\": \"TCP\", \"flags\": [], \"version\": 2, "
        + "\"chain\": [1001], \"settings\": {}}";
  }

  @Test
  void aValueOfTheWrongTypeIsQuotedCutShort() throws Exception {
    String nested = "[".repeat(100) + "]".repeat(100);
    assertEquals(
        "catalog invalid (FILE):\n\n1) generation: expected a whole number, found "
            + "[".repeat(60)
            + "... (200 characters).\n\n1 problem",
        refusal("{\"schemaVersion\": 1, \"generation\": " + nested + ", \"entries\": []}"));
  }

  @Test
  void anUnknownEnumValueIsQuotedCutShort() throws Exception {
    assertEquals(
        "catalog invalid (FILE):\n\n1) entries[0].family is '"
            + "X".repeat(60)
            + "... (5000 characters)' "
            + "(expected: one of INET, INET6, MEMORY).\n\n1 problem",
        refusal(
            "{\"schemaVersion\": 1, \"generation\": 1, \"entries\": ["
                + entry("tcp4", "X".repeat(5000))
                + "]}"));
  }

  @Test
  void aMalformedNameIsQuotedCutShort() throws Exception {
    assertEquals(
        "catalog invalid (FILE):\n\n1) entry 1001 '"
            + "n".repeat(64)
            + "... (5000 characters)' (base) has a "
            + "malformed name (expected: lower-case letters, digits and '-', starting with a letter).\n\n1 problem",
        refusal(
            "{\"schemaVersion\": 1, \"generation\": 1, \"entries\": ["
                + entry("n".repeat(5000), "INET")
                + "]}"));
  }

  @Test
  void anUnknownFieldAndASchemaVersionAreQuotedCutShort() throws Exception {
    assertEquals(
        "catalog invalid (FILE):\n\n1) the file has the unknown field '"
            + "k".repeat(60)
            + "... (300 characters)'"
            + " (expected: entries, generation, plugins, schemaVersion).\n\n1 problem",
        refusal(
            "{\"schemaVersion\": 1, \"generation\": 1, \"entries\": [], \""
                + "k".repeat(300)
                + "\": 1}"));
    assertEquals(
        "catalog invalid (FILE):\n\n1) the file has schema version \""
            + "9".repeat(59)
            + "... (302 characters);"
            + " this release of protochain reads schema version 1 only.\n\n1 problem",
        refusal(
            "{\"schemaVersion\": \""
                + "9".repeat(300)
                + "\", \"generation\": 1, \"entries\": []}"));
  }
}
