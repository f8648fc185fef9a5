package dev.protochain.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * {@code bom/pom.xml} names exactly the artifacts the reactor publishes (every module that is not
 * an aggregator and does not set {@code maven.deploy.skip}, itself or through its parent), so a new
 * module cannot be forgotten; and since the BOM has no parent, the version and the metadata it
 * repeats equal the parent's; and the README's "Use it as a library" names artifacts the BOM lists.
 */
class BomTest {

  private static final Path ROOT = Path.of("../..");
  private static final XPath XPATH = XPathFactory.newInstance().newXPath();

  @Test
  void bomListsExactlyThePublishedModules() throws Exception {
    TreeSet<String> published = new TreeSet<>();
    collectPublished(ROOT, false, published);
    assertTrue(published.contains("protochain-api"), "published modules found: " + published);

    assertEquals(published, listed(), "the published modules, and what bom/pom.xml lists");
  }

  @Test
  void theReadmesLibraryCoordinatesAreTheBoms() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int start = readme.indexOf("\n## Use it as a library\n");
    assertTrue(start >= 0, "README.md has a section 'Use it as a library'");
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    Matcher m =
        Pattern.compile(
                "<groupId>dev\\.protochain</groupId>\\s*<artifactId>([^<]+)</artifactId>"
                    + "(?:\\s*<version>([^<]+)</version>)?")
            .matcher(section);
    TreeSet<String> named = new TreeSet<>();
    while (m.find()) {
      if (m.group(1).equals("protochain-bom")) {
        assertEquals(text(read(ROOT), "/project/version"), m.group(2), "the BOM's version");
      } else {
        assertEquals(null, m.group(2), m.group(1) + " takes its version from the BOM");
      }
      named.add(m.group(1));
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                "protochain-bom",
                "protochain-api",
                "protochain-chain-runtime",
                "protochain-layers",
                "protochain-testkit")),
        named,
        "the artifacts the README names for an application, a layer author and a test");
    named.remove("protochain-bom");
    assertTrue(listed().containsAll(named), named + " are all in " + listed());
  }

  /** The artifacts bom/pom.xml lists, each checked to be protochain's, at the BOM's version. */
  private static Set<String> listed() throws Exception {
    Document bom = read(ROOT.resolve("bom"));
    TreeSet<String> listed = new TreeSet<>();
    NodeList deps = nodes(bom, "/project/dependencyManagement/dependencies/dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      String artifactId = XPATH.evaluate("artifactId", deps.item(i));
      assertEquals("dev.protochain", XPATH.evaluate("groupId", deps.item(i)), artifactId);
      assertEquals("${project.version}", XPATH.evaluate("version", deps.item(i)), artifactId);
      listed.add(artifactId);
    }
    return listed;
  }

  @Test
  void bomRepeatsTheParentsVersionAndMetadata() throws Exception {
    Document parent = read(ROOT);
    Document bom = read(ROOT.resolve("bom"));
    for (String element :
        List.of("groupId", "version", "url", "inceptionYear", "licenses", "developers", "scm")) {
      String expected = text(parent, "/project/" + element);
      assertFalse(expected.isEmpty(), "the parent POM has no <" + element + ">");
      assertEquals(expected, text(bom, "/project/" + element), "<" + element + "> of bom/pom.xml");
    }
    String spotless = "//plugin[artifactId='spotless-maven-plugin']/version";
    assertEquals(text(parent, spotless), text(bom, spotless), "spotless version of bom/pom.xml");
  }

  /** Adds the artifactIds {@code dir}'s POM and its modules publish. */
  private static void collectPublished(Path dir, boolean deploySkipped, Set<String> published)
      throws Exception {
    Document pom = read(dir);
    String skip = text(pom, "/project/properties/maven.deploy.skip");
    boolean skipped = skip.isEmpty() ? deploySkipped : Boolean.parseBoolean(skip);
    String packaging = text(pom, "/project/packaging");
    if (!packaging.equals("pom") && !skipped) {
      published.add(text(pom, "/project/artifactId"));
    }
    List<String> modules = new ArrayList<>();
    NodeList list = nodes(pom, "/project/modules/module");
    for (int i = 0; i < list.getLength(); i++) {
      modules.add(list.item(i).getTextContent().strip());
    }
    for (String module : modules) {
      collectPublished(dir.resolve(module), skipped, published);
    }
  }

  private static Document read(Path dir) throws Exception {
    return DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(dir.resolve("pom.xml").toFile());
  }

  private static NodeList nodes(Document pom, String path) throws Exception {
    return (NodeList) XPATH.evaluate(path, pom, XPathConstants.NODESET);
  }

  /** The text of the first node at {@code path}, whitespace collapsed; empty when there is none. */
  private static String text(Document pom, String path) throws Exception {
    return XPATH.evaluate(path, pom).strip().replaceAll("\\s+", " ");
  }
}
