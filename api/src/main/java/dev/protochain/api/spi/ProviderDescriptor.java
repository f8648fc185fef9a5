package dev.protochain.api.spi;

import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.ProtocolChain;
import dev.protochain.api.ServiceFlag;
import dev.protochain.api.VersionRange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A provider's descriptor as read from its {@link ProviderInfo} annotation, checked.
 *
 * @param id the provider's UUID
 * @param name its short name
 * @param kind base or layer
 * @param version its own release
 * @param versions the SPI versions it speaks
 * @param settings the settings it accepts, in declaration order
 * @param requiresBelow what a layer needs from below
 * @param description one sentence on what it does
 * @param className the provider class's binary name
 * @param entries the base entries a base provider brings to the built-in catalog, by id
 */
public record ProviderDescriptor(
    UUID id,
    String name,
    EntryKind kind,
    String version,
    VersionRange versions,
    List<Setting> settings,
    Set<ServiceFlag> requiresBelow,
    String description,
    String className,
    List<CatalogEntry> entries) {

  /**
   * One accepted setting.
   *
   * @param name the key
   * @param defaultValue the default, empty for none
   * @param description what it does
   * @param secret whether its value is a secret ({@link SettingInfo#secret()})
   * @param path whether the value names a file ({@link SettingInfo#path()})
   */
  public record Setting(
      String name, String defaultValue, String description, boolean secret, boolean path) {

    /** Creates a setting that is neither a secret nor a path. */
    public Setting(String name, String defaultValue, String description) {
      this(name, defaultValue, description, false, false);
    }
  }

  private static final Pattern CANONICAL_UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** Creates a descriptor, copying the collections. */
  public ProviderDescriptor {
    settings = List.copyOf(settings);
    entries = List.copyOf(entries);
    requiresBelow =
        Collections.unmodifiableSet(
            requiresBelow.isEmpty()
                ? EnumSet.noneOf(ServiceFlag.class)
                : EnumSet.copyOf(requiresBelow));
  }

  /** Creates a descriptor that brings no entry to the built-in catalog. */
  public ProviderDescriptor(
      UUID id,
      String name,
      EntryKind kind,
      String version,
      VersionRange versions,
      List<Setting> settings,
      Set<ServiceFlag> requiresBelow,
      String description,
      String className) {
    this(
        id,
        name,
        kind,
        version,
        versions,
        settings,
        requiresBelow,
        description,
        className,
        List.of());
  }

  /**
   * Reads and checks the descriptor of {@code type}: the annotation is present, the id is a UUID
   * written out in full, the versions parse and the kind matches the interface the class
   * implements.
   *
   * @throws ProtochainException with {@link ProtochainException.Code#INVALID_PROVIDER} naming the
   *     class and the problem
   */
  public static ProviderDescriptor of(Class<?> type) throws ProtochainException {
    ProviderInfo info = type.getAnnotation(ProviderInfo.class);
    if (info == null) {
      throw invalid(type, "has no @ProviderInfo descriptor");
    }
    // UUID.fromString also takes short groups (1-2-3-4-5 reads as 00000001-0002-...), which would
    // make the id the catalog records differ from the one the descriptor declares.
    if (!CANONICAL_UUID.matcher(info.id()).matches()) {
      throw invalid(
          type,
          "descriptor id '"
              + info.id()
              + "' is not a UUID (expected: 32 hex digits as 8-4-4-4-12)");
    }
    UUID id = UUID.fromString(info.id());
    if (!info.name().matches("[a-z][a-z0-9-]{0,31}")) {
      throw invalid(
          type,
          "descriptor name '"
              + info.name()
              + "' must be 1 to 32 lower-case letters, digits or '-', starting with a letter");
    }
    VersionRange versions;
    try {
      versions =
          VersionRange.of(
              dev.protochain.api.Version.parse(info.minVersion()),
              dev.protochain.api.Version.parse(info.maxVersion()));
    } catch (IllegalArgumentException e) {
      throw invalid(type, "descriptor versions: " + e.getMessage());
    }
    if (info.kind() == EntryKind.CHAIN) {
      throw invalid(type, "is declared CHAIN (expected: BASE or LAYER; a chain is an entry only)");
    }
    Class<?> expected = info.kind() == EntryKind.BASE ? BaseProvider.class : LayeredProvider.class;
    if (!expected.isAssignableFrom(type)) {
      throw invalid(
          type,
          "is declared " + info.kind() + " but does not implement " + expected.getSimpleName());
    }
    Map<String, Setting> settings = new LinkedHashMap<>();
    for (SettingInfo s : info.settings()) {
      if (settings.put(
              s.name(),
              new Setting(s.name(), s.defaultValue(), s.description(), s.secret(), s.path()))
          != null) {
        throw invalid(type, "descriptor declares setting '" + s.name() + "' twice");
      }
    }
    if (info.kind() != EntryKind.BASE && info.entries().length > 0) {
      throw invalid(type, "is declared " + info.kind() + " but declares base entries");
    }
    List<CatalogEntry> entries = new ArrayList<>();
    for (BaseEntryInfo e : info.entries()) {
      entries.add(
          CatalogEntry.builder()
              .id(e.id())
              .name(e.name())
              .providerId(id)
              .serves(e.family(), e.type(), e.protocol())
              .flags(Set.copyOf(Arrays.asList(e.flags())))
              .version(e.version())
              .chain(ProtocolChain.base(e.id()))
              .build());
    }
    return new ProviderDescriptor(
        id,
        info.name(),
        info.kind(),
        info.version(),
        versions,
        List.copyOf(settings.values()),
        Set.copyOf(Arrays.asList(info.requiresBelow())),
        info.description(),
        type.getName(),
        entries);
  }

  /** Returns the default values of the settings that have one. */
  public Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    for (Setting s : settings) {
      if (!s.defaultValue().isEmpty()) {
        d.put(s.name(), s.defaultValue());
      }
    }
    return d;
  }

  /** Returns the names of the settings whose values are secrets. */
  public Set<String> secrets() {
    Set<String> secrets = new java.util.TreeSet<>();
    for (Setting s : settings) {
      if (s.secret()) {
        secrets.add(s.name());
      }
    }
    return Collections.unmodifiableSet(secrets);
  }

  /** Returns whether the provider declares a setting named {@code key}. */
  public boolean accepts(String key) {
    return settings.stream().anyMatch(s -> s.name().equals(key));
  }

  private static ProtochainException invalid(Class<?> type, String problem) {
    return new ProtochainException(
        ProtochainException.Code.INVALID_PROVIDER,
        "provider class " + type.getName() + " " + problem);
  }

  /** Returns {@code provider 'trace' 1.0.0 (layer, 2.0-2.2)}. */
  @Override
  public String toString() {
    return "provider '"
        + name
        + "' "
        + version
        + " ("
        + kind.name().toLowerCase(java.util.Locale.ROOT)
        + ", "
        + versions
        + ")";
  }
}
