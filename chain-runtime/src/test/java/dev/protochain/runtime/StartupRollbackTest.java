package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doNothing;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import dev.protochain.api.EntryKind;
import dev.protochain.api.ProtochainException;
import dev.protochain.api.Session;
import dev.protochain.api.VersionRange;
import dev.protochain.api.spi.BaseProvider;
import dev.protochain.api.spi.LayeredProvider;
import dev.protochain.api.spi.Provider;
import dev.protochain.runtime.testing.FakeProviderSource;
import dev.protochain.runtime.testing.TestCatalogs;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.InOrder;

/**
 * Clause 4: when the provider at depth 1, 2 or 3 (counting from the top) of {@code [a, b, base]}
 * fails to start, every provider already started for the request is cleaned up exactly once, in
 * reverse order, the counts end as before, and an earlier session over the base is untouched.
 */
@Timeout(30)
class StartupRollbackTest {

  final LayeredProvider a = mock(LayeredProvider.class);
  final LayeredProvider b = mock(LayeredProvider.class);
  final BaseProvider base = mock(BaseProvider.class);

  ChainRuntime runtime() throws Exception {
    FakeProviderSource source =
        new FakeProviderSource()
            .register(
                FakeProviderSource.descriptor("a", EntryKind.LAYER, VersionRange.ALL), () -> a)
            .register(
                FakeProviderSource.descriptor("b", EntryKind.LAYER, VersionRange.ALL), () -> b)
            .register(
                FakeProviderSource.descriptor("base", EntryKind.BASE, VersionRange.ALL),
                () -> base);
    Catalog catalog =
        new TestCatalogs()
            .base(1101, "base", "base")
            .layer(2001, "a", "a")
            .layer(2002, "b", "b")
            .chain(3001, "a-b-base", 2001, 2002, 1101)
            .build();
    return ChainRuntime.builder().catalog(catalog).source(source).shutdownHook(false).build();
  }

  @ParameterizedTest(name = "failure at depth {0}")
  @ValueSource(ints = {1, 2, 3})
  void aFailedStartupCleansUpWhatItStartedInReverseOrder(int depth) throws Exception {
    Provider failing = List.of(a, b, base).get(depth - 1);
    if (failing == base) {
      // The earlier session's startup of the base succeeds; the one for the chain fails.
      doNothing().doThrow(new IOException("refused")).when(base).startup(any());
    } else {
      doThrow(new IOException("refused")).when(failing).startup(any());
    }

    try (ChainRuntime runtime = runtime()) {
      Session earlier = runtime.startup(1101);

      ProtochainException e = assertThrows(ProtochainException.class, () -> runtime.startup(3001));

      String name = List.of("a", "b", "base").get(depth - 1);
      int id = List.of(2001, 2002, 1101).get(depth - 1);
      assertEquals(ProtochainException.Code.PROVIDER_FAILED_INIT, e.code());
      assertEquals(
          "startup of entry 3001 'a-b-base' (chain [2001, 2002, 1101]): provider '"
              + name
              + "' (entry "
              + id
              + ") at depth "
              + (depth - 1)
              + " failed to start: java.io.IOException: refused",
          e.getMessage());
      assertEquals(Map.of(2001, 0, 2002, 0, 1101, 1), runtime.counts());
      assertTrue(earlier.isOpen());

      InOrder order = inOrder(a, b, base);
      order.verify(base).load(any());
      order.verify(base).startup(any()); // the earlier session's
      order.verify(a).load(any());
      order.verify(b).load(any());
      order.verify(base).startup(any());
      if (depth <= 2) {
        order.verify(b).startup(any());
      }
      if (depth == 1) {
        order.verify(a).startup(any());
        order.verify(b).cleanup(any());
        order.verify(b).unload();
      }
      if (depth <= 2) {
        order.verify(base).cleanup(any());
      }
      if (depth == 2) {
        order.verify(b).unload();
      }
      order.verify(a).unload();
      order.verifyNoMoreInteractions();
      verify(a, never()).cleanup(any());
      verify(base, never()).unload();

      earlier.close();
      verify(base).unload();
    }
  }
}
