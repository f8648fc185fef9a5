package dev.protochain.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Protocol;
import dev.protochain.api.SocketType;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The descriptor's id check, as the descriptor fuzz test found it wanting. */
@Timeout(10)
class ProviderDescriptorTest {

  @ProviderInfo(id = "1-2-3-4-5", name = "short", kind = EntryKind.LAYER)
  static final class ShortGroups extends AbstractLayer {
    @Override
    public ChainSocket wrap(ChainSocket below, StartupContext context) {
      return below;
    }
  }

  @ProviderInfo(id = "3F0C8A52-7C1E-4C39-9B0A-5D1F6F0E2A11", name = "upper", kind = EntryKind.LAYER)
  static final class UpperCase extends AbstractLayer {
    @Override
    public ChainSocket wrap(ChainSocket below, StartupContext context) {
      return below;
    }
  }

  @ProviderInfo(
      id = "3f0c8a52-7c1e-4c39-9b0a-5d1f6f0e2a12",
      name = "claims-bases",
      kind = EntryKind.LAYER,
      entries =
          @BaseEntryInfo(
              id = 1001,
              name = "x",
              family = AddressFamily.INET,
              type = SocketType.STREAM,
              protocol = Protocol.TCP))
  static final class LayerWithEntries extends AbstractLayer {
    @Override
    public ChainSocket wrap(ChainSocket below, StartupContext context) {
      return below;
    }
  }

  @ProviderInfo(id = "3f0c8a52-7c1e-4c39-9b0a-5d1f6f0e2a13", name = "chain", kind = EntryKind.CHAIN)
  static final class DeclaredChain extends AbstractLayer {
    @Override
    public ChainSocket wrap(ChainSocket below, StartupContext context) {
      return below;
    }
  }

  @Test
  void aProviderIsABaseOrALayerNeverAChain() {
    ProtochainException e =
        assertThrows(ProtochainException.class, () -> ProviderDescriptor.of(DeclaredChain.class));
    assertEquals(
        "provider class "
            + DeclaredChain.class.getName()
            + " is declared CHAIN (expected: BASE or LAYER; a chain is an entry only)",
        e.getMessage());
  }

  @Test
  void onlyABaseBringsEntriesToTheBuiltinCatalog() {
    ProtochainException e =
        assertThrows(
            ProtochainException.class, () -> ProviderDescriptor.of(LayerWithEntries.class));
    assertEquals(
        "provider class "
            + LayerWithEntries.class.getName()
            + " is declared LAYER but declares"
            + " base entries",
        e.getMessage());
  }

  /**
   * UUID.fromString took "1-2-3-4-5" as 00000001-0002-0003-0004-000000000005: an id the author
   * never wrote.
   */
  @Test
  void anIdWithShortGroupsIsNotAUuid() {
    ProtochainException e =
        assertThrows(ProtochainException.class, () -> ProviderDescriptor.of(ShortGroups.class));
    assertEquals(ProtochainException.Code.INVALID_PROVIDER, e.code());
    assertEquals(
        "provider class "
            + ShortGroups.class.getName()
            + " descriptor id '1-2-3-4-5' is not a UUID "
            + "(expected: 32 hex digits as 8-4-4-4-12)",
        e.getMessage());
  }

  @Test
  void anIdInUpperCaseHexIsAUuid() throws ProtochainException {
    assertEquals(
        UUID.fromString("3f0c8a52-7c1e-4c39-9b0a-5d1f6f0e2a11"),
        ProviderDescriptor.of(UpperCase.class).id());
  }
}
