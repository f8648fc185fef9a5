package dev.protochain.api;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One entry of the protocol catalog [Winsock {@code WSAPROTOCOL_INFO}].
 *
 * <p>An entry names a provider (by its UUID), what it serves (address family, socket type,
 * protocol, service flags) and a {@link ProtocolChain}: a layered provider's own entry has an empty
 * chain and is never selected by applications; a base entry's chain is itself; a chain entry lists
 * the layers and the base its sockets pass through. A chain entry's provider is the provider of its
 * top layer, as in Winsock.
 *
 * <p>The settings configure the provider of a layer or base entry when it is loaded. Instances are
 * immutable; use {@link #toBuilder()} to derive a changed copy.
 *
 * @param id the catalog entry id [{@code dwCatalogEntryId}], unique in a catalog
 * @param providerId the UUID of the provider implementing the entry [{@code ProviderId}]
 * @param name a short unique name, such as {@code tcp4} or {@code trace-over-tcp4}
 * @param family the address family served
 * @param type the socket type served
 * @param protocol the protocol served
 * @param flags the services provided, a copy held as an unmodifiable set
 * @param version the version of the protocol the entry speaks (Winsock's iVersion)
 * @param chain the protocol chain, whose length tells the entry's {@link #kind()}
 * @param settings the provider's settings, a copy held sorted by key and unmodifiable
 */
public record CatalogEntry(
    int id,
    UUID providerId,
    String name,
    AddressFamily family,
    SocketType type,
    Protocol protocol,
    Set<ServiceFlag> flags,
    int version,
    ProtocolChain chain,
    Map<String, String> settings) {

  /** Creates an entry, copying {@code flags} and {@code settings}. */
  public CatalogEntry {
    Objects.requireNonNull(providerId, "providerId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(chain, "chain");
    flags =
        Collections.unmodifiableSet(
            flags.isEmpty() ? EnumSet.noneOf(ServiceFlag.class) : EnumSet.copyOf(flags));
    settings = Collections.unmodifiableMap(new TreeMap<>(settings));
  }

  /** Returns what the entry is: a layer's own entry, a base entry or a chain. */
  public EntryKind kind() {
    return chain.kind();
  }

  /** Returns whether an application may select this entry (a base or a chain). */
  public boolean isSelectable() {
    return kind().isSelectable();
  }

  /** Returns whether this entry serves {@code family}, {@code type} and {@code protocol}. */
  public boolean serves(AddressFamily family, SocketType type, Protocol protocol) {
    return this.family == family && this.type == type && this.protocol == protocol;
  }

  /** Returns a builder holding this entry's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Returns an empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns {@code entry 1001 'tcp4' (base)} or {@code entry 3001 'x' (chain [2001, 1001])}. A name
   * longer than 64 characters, which no valid catalog holds, is cut short there, so that a message
   * naming the entry stays one line whatever a catalog file held.
   */
  @Override
  public String toString() {
    String shown =
        name.length() <= 64
            ? name
            : name.substring(0, Character.isHighSurrogate(name.charAt(63)) ? 63 : 64)
                + "... ("
                + name.length()
                + " characters)";
    return "entry "
        + id
        + " '"
        + shown
        + "' ("
        + (kind() == EntryKind.CHAIN
            ? "chain " + chain
            : kind().name().toLowerCase(java.util.Locale.ROOT))
        + ")";
  }

  /** Builds {@link CatalogEntry} instances. Not thread-safe. */
  public static final class Builder {
    private int id;
    private UUID providerId;
    private String name;
    private AddressFamily family;
    private SocketType type;
    private Protocol protocol;
    private Set<ServiceFlag> flags = EnumSet.noneOf(ServiceFlag.class);
    private int version = 1;
    private ProtocolChain chain = ProtocolChain.layer();
    private final Map<String, String> settings = new TreeMap<>();

    private Builder() {}

    private Builder(CatalogEntry e) {
      id = e.id;
      providerId = e.providerId;
      name = e.name;
      family = e.family;
      type = e.type;
      protocol = e.protocol;
      flags = EnumSet.noneOf(ServiceFlag.class);
      flags.addAll(e.flags);
      version = e.version;
      chain = e.chain;
      settings.putAll(e.settings);
    }

    /** Sets the entry id. */
    public Builder id(int id) {
      this.id = id;
      return this;
    }

    /** Sets the provider's UUID. */
    public Builder providerId(UUID providerId) {
      this.providerId = providerId;
      return this;
    }

    /** Sets the name. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Sets family, type and protocol at once. */
    public Builder serves(AddressFamily family, SocketType type, Protocol protocol) {
      this.family = family;
      this.type = type;
      this.protocol = protocol;
      return this;
    }

    /** Replaces the service flags. */
    public Builder flags(Set<ServiceFlag> flags) {
      this.flags = flags.isEmpty() ? EnumSet.noneOf(ServiceFlag.class) : EnumSet.copyOf(flags);
      return this;
    }

    /** Sets the protocol version. */
    public Builder version(int version) {
      this.version = version;
      return this;
    }

    /** Sets the chain. */
    public Builder chain(ProtocolChain chain) {
      this.chain = chain;
      return this;
    }

    /** Sets one setting. */
    public Builder setting(String key, String value) {
      settings.put(key, value);
      return this;
    }

    /** Replaces all settings. */
    public Builder settings(Map<String, String> settings) {
      this.settings.clear();
      this.settings.putAll(settings);
      return this;
    }

    /**
     * Returns the entry.
     *
     * @throws NullPointerException if the provider id, name, family, type or protocol is unset
     */
    public CatalogEntry build() {
      return new CatalogEntry(
          id, providerId, name, family, type, protocol, flags, version, chain, settings);
    }
  }
}
