package dev.protochain.api;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The protocol chain of a catalog entry [Winsock {@code WSAPROTOCOLCHAIN}]: the ids of the entries
 * an application's sockets pass through, top first.
 *
 * <p>Its length says what the entry is: 0, a layered provider's own entry ({@link
 * EntryKind#LAYER}); 1, a base entry whose chain names itself ({@link EntryKind#BASE}); 2 to
 * {@value #MAX_LENGTH}, a chain {@code [top layer, ..., base]} ({@link EntryKind#CHAIN}). A chain
 * longer than {@value #MAX_LENGTH} can be built, so that a catalog holding one can be read and
 * reported, but the catalog refuses it.
 *
 * <p>Instances are immutable.
 */
public final class ProtocolChain {

  /** The longest chain the catalog accepts [Winsock {@code MAX_PROTOCOL_CHAIN}]. */
  public static final int MAX_LENGTH = 7;

  private static final ProtocolChain LAYER = new ProtocolChain(new int[0]);

  private final int[] ids;

  private ProtocolChain(int[] ids) {
    this.ids = ids;
  }

  /** Returns the empty chain of a layered provider's own entry. */
  public static ProtocolChain layer() {
    return LAYER;
  }

  /** Returns the chain of a base entry, naming the entry itself. */
  public static ProtocolChain base(int entryId) {
    return new ProtocolChain(new int[] {entryId});
  }

  /** Returns the chain of the given entry ids, top first. */
  public static ProtocolChain of(int... entryIds) {
    return entryIds.length == 0 ? LAYER : new ProtocolChain(entryIds.clone());
  }

  /** Returns the chain of the given entry ids, top first. */
  public static ProtocolChain of(List<Integer> entryIds) {
    return of(entryIds.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Returns the number of entries in the chain. */
  public int length() {
    return ids.length;
  }

  /**
   * Returns the entry id at {@code depth}, 0 being the top.
   *
   * @throws IndexOutOfBoundsException if {@code depth} is not below {@link #length()}
   */
  public int get(int depth) {
    return ids[depth];
  }

  /** Returns the entry ids, top first. */
  public List<Integer> ids() {
    return Arrays.stream(ids).boxed().collect(Collectors.toUnmodifiableList());
  }

  /** Returns the id of the last entry, the base of a chain. */
  public int baseId() {
    if (ids.length == 0) {
      throw new IllegalStateException("a layer's own entry has no chain and so no base");
    }
    return ids[ids.length - 1];
  }

  /** Returns what an entry with this chain is. */
  public EntryKind kind() {
    switch (ids.length) {
      case 0:
        return EntryKind.LAYER;
      case 1:
        return EntryKind.BASE;
      default:
        return EntryKind.CHAIN;
    }
  }

  /** Returns whether {@code entryId} occurs in this chain. */
  public boolean contains(int entryId) {
    for (int id : ids) {
      if (id == entryId) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProtocolChain && Arrays.equals(ids, ((ProtocolChain) o).ids);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids);
  }

  /** Returns the ids as {@code [3, 2, 1]}. */
  @Override
  public String toString() {
    return Arrays.toString(ids);
  }
}
