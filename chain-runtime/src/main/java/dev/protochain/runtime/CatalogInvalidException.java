package dev.protochain.runtime;

import dev.protochain.api.ProtochainException;
import java.util.List;

/**
 * A catalog failed validation; {@link #problems()} lists every problem found, and the message
 * numbers them, as in:
 *
 * <pre>
 * catalog invalid (catalog.json):
 *
 * 1) entry 3001 'trace-over-tcp4' (chain [2001, 9999]) names entry 9999, which does not exist.
 * 2) entry 3002 'loop' (chain [3002, 1001]) names itself.
 *
 * 2 problems
 * </pre>
 */
public final class CatalogInvalidException extends ProtochainException {

  private static final long serialVersionUID = 1L;

  private final transient List<CatalogProblem> problems;

  /** Creates the exception for {@code where} (a file, or {@code catalog}) and its problems. */
  public CatalogInvalidException(String where, List<CatalogProblem> problems) {
    super(Code.CATALOG_INVALID, format(where, problems));
    this.problems = List.copyOf(problems);
  }

  /** Returns every problem found, in catalog order. */
  public List<CatalogProblem> problems() {
    return problems;
  }

  private static String format(String where, List<CatalogProblem> problems) {
    StringBuilder sb = new StringBuilder("catalog invalid (").append(where).append("):\n\n");
    for (int i = 0; i < problems.size(); i++) {
      sb.append(i + 1).append(") ").append(problems.get(i).message()).append('\n');
    }
    sb.append('\n').append(problems.size()).append(problems.size() == 1 ? " problem" : " problems");
    return sb.toString();
  }
}
