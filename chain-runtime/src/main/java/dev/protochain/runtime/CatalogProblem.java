package dev.protochain.runtime;

import java.util.List;

/**
 * One thing wrong with a catalog, found by {@link Catalog#problems()}.
 *
 * @param kind what is wrong, for code
 * @param message a sentence naming the entries, for people
 * @param entryIds the ids of the entries involved
 */
public record CatalogProblem(Kind kind, String message, List<Integer> entryIds) {

  /** What is wrong. */
  public enum Kind {
    /** Two entries share an id. */
    DUPLICATE_ID,
    /** Two entries share a name. */
    DUPLICATE_NAME,
    /** A chain names an entry that does not exist. */
    MISSING_ENTRY,
    /** A chain is longer than {@link dev.protochain.api.ProtocolChain#MAX_LENGTH}. */
    CHAIN_TOO_LONG,
    /** A chain names itself or another chain, or names one entry twice. */
    CYCLE,
    /** A chain's last entry is not a base entry, or a layer position holds a base. */
    NOT_ENDING_IN_BASE,
    /** A base entry's chain does not name the entry itself. */
    BASE_CHAIN_MISMATCH,
    /** A chain serves another family, type or protocol than its base. */
    MISMATCHED_BASE,
    /**
     * An id or name is malformed, or a field of the catalog file is missing or of the wrong type.
     */
    MALFORMED,
    /** The catalog file cannot be read as a catalog: empty, truncated, not JSON. */
    UNREADABLE,
    /** The catalog file has a schema version this release does not read. */
    UNSUPPORTED_SCHEMA,
    /** An entry names a provider that is not available, or not usable. */
    UNKNOWN_PROVIDER,
    /** A layer's own entry names a base provider, or a base entry a layer. */
    PROVIDER_KIND_MISMATCH,
    /** An entry sets a key its provider does not accept. */
    UNKNOWN_SETTING,
    /** A layer of a chain requires a service the chain's base does not provide. */
    MISSING_SERVICE,
    /** A setting that names a file holds a relative path, or names no file. */
    BAD_PATH,
    /** A base or chain entry does not start: a provider refuses its settings, say. */
    DOES_NOT_START
  }

  /** Creates a problem, copying the ids. */
  public CatalogProblem {
    entryIds = List.copyOf(entryIds);
  }

  @Override
  public String toString() {
    return message;
  }
}
