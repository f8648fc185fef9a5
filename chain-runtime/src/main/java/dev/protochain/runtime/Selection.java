package dev.protochain.runtime;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.EntryKind;
import dev.protochain.api.Protocol;
import dev.protochain.api.SocketType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Why an application asking for (family, type, protocol) gets the entry it gets: the chosen entry,
 * if any, and for every other entry why it was passed over, in catalog order.
 *
 * @param family the family asked for
 * @param type the socket type asked for
 * @param protocol the protocol asked for
 * @param chosen the first matching selectable entry, or {@code null} if none
 * @param passedOver every other entry with the reason it was not chosen
 */
public record Selection(
    AddressFamily family,
    SocketType type,
    Protocol protocol,
    CatalogEntry chosen,
    List<PassedOver> passedOver) {

  /**
   * An entry not chosen, and why.
   *
   * @param entry the entry
   * @param reason why, such as {@code serves INET6/STREAM/TCP}
   */
  public record PassedOver(CatalogEntry entry, String reason) {}

  /** Creates a selection, copying the list. */
  public Selection {
    passedOver = List.copyOf(passedOver);
  }

  /**
   * Returns the selection an application asking for (family, type, protocol) gets from {@code
   * entries}, in their order; with {@code safeMode}, base entries only.
   */
  public static Selection of(
      List<CatalogEntry> entries,
      AddressFamily family,
      SocketType type,
      Protocol protocol,
      boolean safeMode) {
    CatalogEntry chosen = null;
    List<Selection.PassedOver> passed = new ArrayList<>();
    for (CatalogEntry e : entries) {
      String reason;
      if (e.kind() == EntryKind.LAYER) {
        reason = "a layer's own entry; applications never select it";
      } else if (!e.serves(family, type, protocol)) {
        reason = "serves " + e.family() + "/" + e.type() + "/" + e.protocol();
      } else if (safeMode && e.kind() == EntryKind.CHAIN) {
        reason = "a chain; safe mode selects base entries only";
      } else if (chosen != null) {
        reason = "matches, but comes after entry " + chosen.id() + " '" + chosen.name() + "'";
      } else {
        chosen = e;
        continue;
      }
      passed.add(new PassedOver(e, reason));
    }
    return new Selection(family, type, protocol, chosen, passed);
  }

  /** Returns the chosen entry, if any. */
  public Optional<CatalogEntry> entry() {
    return Optional.ofNullable(chosen);
  }

  /** Returns the request as {@code INET/STREAM/TCP}. */
  public String request() {
    return family + "/" + type + "/" + protocol;
  }
}
