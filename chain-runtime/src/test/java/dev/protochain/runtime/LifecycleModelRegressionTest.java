package dev.protochain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.protochain.runtime.LifecycleOp.Order;
import dev.protochain.runtime.LifecycleOp.Remove;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The minimal counterexamples {@link LifecycleModelTest} found, each replayed as it shrank, after
 * its cause was fixed; every step is checked against {@link LifecycleModel} as in the property.
 */
@Timeout(30)
class LifecycleModelRegressionTest {

  /**
   * {@code Catalog.order} rebuilt the catalog from its entries alone and dropped the plugin
   * records.
   */
  @Test
  void reorderingTheCatalogKeepsItsPluginRecords() throws Exception {
    assertEquals(1, LifecycleMachine.run(List.of(new Order(List.of(0), 0))));
  }

  /** {@code Catalog.remove} did the same. */
  @Test
  void removingAnEntryKeepsThePluginRecords() throws Exception {
    assertEquals(1, LifecycleMachine.run(List.of(new Remove(0, true))));
  }
}
