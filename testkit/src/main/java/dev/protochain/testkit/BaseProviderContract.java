package dev.protochain.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.protochain.api.AddressFamily;
import dev.protochain.api.CatalogEntry;
import dev.protochain.api.SocketType;
import dev.protochain.api.spi.BaseProvider;
import dev.protochain.api.spi.Provider;
import dev.protochain.runtime.Catalog;
import dev.protochain.runtime.ChainRuntime;
import dev.protochain.testkit.internal.Chains;
import dev.protochain.testkit.internal.ProbeLayer;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The contract every base provider passes, run over real chains: extend it in your test sources,
 * name your provider and the base entry to run, and JUnit 5 runs every check over it.
 *
 * <pre>{@code
 * @Timeout(300)
 * class PipeProviderContractTest extends BaseProviderContract {
 *   @Override protected Class<? extends BaseProvider> providerClass() {
 *     return PipeProvider.class;
 *   }
 *
 *   @Override protected CatalogEntry entry() {               // a built-in entry, or your own
 *     return CatalogEntry.builder().id(1201).name("pipe").providerId(PIPE_ID)
 *         .serves(AddressFamily.MEMORY, SocketType.STREAM, Protocol.MEMORY)
 *         .flags(EnumSet.of(GUARANTEED_DELIVERY, GUARANTEED_ORDER, GRACEFUL_CLOSE))
 *         .chain(ProtocolChain.base(1201)).build();
 *   }
 * }
 * }</pre>
 *
 * <h2>What it builds</h2>
 *
 * For every test a fresh {@link ChainRuntime} over {@link Catalog#builtin()} with {@link #entry()}
 * added (or replacing the built-in entry with its id) and the kit's pass-through {@code
 * testkit-probe} layer installed over it by {@link Catalog#installLayer}. The provider is made by
 * {@link #newProvider()} at every load. A connection's two ends come from the same runtime; where
 * the final cleanup of the base must leave the peer alive, the peer runs in a second runtime, which
 * only a networked base (not {@link AddressFamily#MEMORY}) can reach.
 *
 * <h2>What it checks</h2>
 *
 * The checks of {@link LayerContract} that apply to a base: lifecycle (counts, top-down unload,
 * rollback of a failing layer above, fresh instances, no thread left behind, cleanup without
 * startup), data (the large echo, odd buffer sizes, datagram boundaries and truncation), graceful
 * close at the final cleanup (networked stream bases), concurrency, operations after the final
 * cleanup, and bad options (the message names the option) and settings.
 */
public abstract class BaseProviderContract extends AbstractContract {

  /** Creates the contract. */
  protected BaseProviderContract() {}

  /** Returns the provider's class; it carries a {@link dev.protochain.api.spi.ProviderInfo}. */
  protected abstract Class<? extends BaseProvider> providerClass();

  /** Returns the base entry to run, with the settings to run it with. */
  protected abstract CatalogEntry entry();

  /**
   * Returns where sockets bind: port 0 on 127.0.0.1, or on ::1 for an {@link AddressFamily#INET6}
   * entry.
   */
  protected InetSocketAddress bindAddress() {
    return (entry().family() == AddressFamily.INET6 ? Transport.TCP6 : Transport.TCP4).ephemeral();
  }

  /**
   * Makes one instance of the provider; called at every load. Default: the public no-argument
   * constructor, as the runtime does.
   */
  protected BaseProvider newProvider() throws ReflectiveOperationException {
    return providerClass().getConstructor().newInstance();
  }

  /* ---- AbstractContract ---- */

  @Override
  final Class<? extends Provider> subjectClass() {
    return providerClass();
  }

  @Override
  final Provider newSubject() throws Exception {
    return newProvider();
  }

  @Override
  final String subjectEntry() {
    return entry().name();
  }

  @Override
  final Catalog catalog(Map<String, String> extra) {
    Map<String, String> settings = new LinkedHashMap<>(entry().settings());
    settings.putAll(extra);
    CatalogEntry base = entry().toBuilder().settings(settings).build();
    java.util.UUID probe = describe(ProbeLayer.class).id();
    return Catalog.builtin()
        .with(base)
        .installLayer(PROBE, probe, Map.of(), List.of(base.id()))
        .installLayer(FAILING, probe, Map.of("fail", "true"), List.of(base.id()));
  }

  @Override
  final List<Chains> cases() {
    CatalogEntry e = entry();
    return List.of(
        new Chains(
            e.name(),
            bindAddress(),
            e.type() == SocketType.STREAM,
            e.name(),
            e.name(),
            PROBE + "-" + e.name(),
            e.id(),
            true));
  }

  /**
   * A base's final cleanup ends every socket of its own world: only a networked peer outlives it.
   */
  @Override
  final Stream<Chains> finalCleanupCases() {
    return entry().family() == AddressFamily.MEMORY ? Stream.of() : streamCases();
  }

  @Override
  final void checkOptionErrors(
      Chains c,
      ChainRuntime rt,
      UnsupportedOperationException set,
      UnsupportedOperationException get,
      IllegalArgumentException negative) {
    assertTrue(set.getMessage().contains(UNKNOWN_OPTION.name()), set.getMessage());
    assertTrue(get.getMessage().contains(UNKNOWN_OPTION.name()), get.getMessage());
    assertTrue(negative.getMessage().contains("RECEIVE_TIMEOUT"), negative.getMessage());
  }
}
