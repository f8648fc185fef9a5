package dev.protochain.runtime;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.Protocol;
import dev.protochain.api.SocketType;
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

  /** Returns the chosen entry, if any. */
  public Optional<CatalogEntry> entry() {
    return Optional.ofNullable(chosen);
  }

  /** Returns the request as {@code INET/STREAM/TCP}. */
  public String request() {
    return family + "/" + type + "/" + protocol;
  }
}
