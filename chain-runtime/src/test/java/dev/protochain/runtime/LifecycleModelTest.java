package dev.protochain.runtime;

import dev.protochain.runtime.testing.Bounded;
import dev.protochain.runtime.testing.Phase;
import dev.protochain.runtime.testing.PropertyTimeout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Model-based tests of the lifecycle contract: random sequences of startups (by id, by name and by
 * selection, asking for various version ranges) of chains that share providers, session closes and
 * count-level cleanups (with and without a matching startup), socket pairs opened, used and closed,
 * injected failures at every phase of a provider's life, and catalog installs, removals and
 * reorderings that reach the runtime when it is built again from the edited catalog. After every
 * step, {@link LifecycleMachine} checks the real runtime against {@link LifecycleModel}; a failing
 * sequence shrinks to a minimal one, which is kept in {@link LifecycleModelRegressionTest}.
 */
@PropertyTimeout(seconds = 150)
class LifecycleModelTest {

  static final AtomicLong SEQUENCES = new AtomicLong();
  static final AtomicLong STEPS = new AtomicLong();
  static final AtomicLong NANOS = new AtomicLong();
  static final AtomicLong STORED = new AtomicLong();

  /** One sequence takes milliseconds; one that takes this long is stuck. */
  static final Duration CASE_BOUND = Duration.ofSeconds(20);

  @Property(tries = 10_000, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.FULL)
  void everyStepOfEverySequenceAgreesWithTheModel(@ForAll("sequences") List<LifecycleOp> ops)
      throws Exception {
    check(ops);
  }

  /**
   * The same over a {@link dev.protochain.runtime.store.CatalogStore} in a temporary home: each
   * edit that changes the catalog writes the next generation and keeps the one before as the
   * backup, a refused one writes nothing, and each runtime is built from the file. Fewer sequences:
   * every write forces the file and its directory to disk.
   */
  @Property(tries = 100, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.FULL)
  void everyStepAgreesWithTheModelWhenEditsGoThroughTheCatalogStore(
      @ForAll("sequences") List<LifecycleOp> ops) throws Exception {
    Path home = Files.createTempDirectory("lifecycle-model");
    try {
      check(ops, home);
    } finally {
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The soak variant: ten times the sequences, each up to three times as long. */
  @Property(tries = 100_000, generation = GenerationMode.RANDOMIZED, shrinking = ShrinkingMode.FULL)
  @Tag("soak")
  @PropertyTimeout(seconds = 1800)
  void everyStepOfEveryLongSequenceAgreesWithTheModel(
      @ForAll("longSequences") List<LifecycleOp> ops) throws Exception {
    check(ops);
  }

  static void check(List<LifecycleOp> ops) throws Exception {
    check(ops, null);
  }

  static void check(List<LifecycleOp> ops, Path home) throws Exception {
    long start = System.nanoTime();
    STEPS.addAndGet(
        Bounded.call(CASE_BOUND, "a lifecycle sequence", () -> LifecycleMachine.run(ops, home)));
    NANOS.addAndGet(System.nanoTime() - start);
    SEQUENCES.incrementAndGet();
    if (home != null) {
      STORED.incrementAndGet();
    }
  }

  @AfterContainer
  static void report() {
    System.out.printf(
        "lifecycle model: %d sequences checked (%d of them editing through a CatalogStore), %d steps, "
            + "each step checked against the model, in %d ms of sequences; answers: %s%n",
        SEQUENCES.get(),
        STORED.get(),
        STEPS.get(),
        NANOS.get() / 1_000_000,
        LifecycleMachine.answers());
  }

  @Provide
  Arbitrary<List<LifecycleOp>> sequences() {
    return step().list().ofMinSize(1).ofMaxSize(30);
  }

  @Provide
  Arbitrary<List<LifecycleOp>> longSequences() {
    return step().list().ofMinSize(1).ofMaxSize(90);
  }

  static Arbitrary<LifecycleOp> step() {
    Arbitrary<Integer> index = Arbitraries.integers().between(0, 15);
    Arbitrary<LifecycleOp> startup =
        Combinators.combine(
                index,
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, LifecycleOp.RANGES.size() - 1))
            .as(LifecycleOp.Startup::new);
    Arbitrary<LifecycleOp> install =
        Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 3),
                index.list().ofMinSize(1).ofMaxSize(2))
            .as(LifecycleOp.Install::new);
    Arbitrary<LifecycleOp> order =
        Combinators.combine(
                index.list().ofMinSize(1).ofMaxSize(6),
                Arbitraries.frequency(
                    Tuple.of(6, 0), Tuple.of(1, 1), Tuple.of(1, 2), Tuple.of(1, 3), Tuple.of(1, 4)))
            .as(LifecycleOp.Order::new);
    return Arbitraries.frequencyOf(
        Tuple.of(24, startup),
        Tuple.of(12, index.map(LifecycleOp.CloseSession::new)),
        Tuple.of(6, index.map(LifecycleOp.Cleanup::new)),
        Tuple.of(10, index.map(LifecycleOp.OpenPair::new)),
        Tuple.of(
            9,
            Combinators.combine(index, Arbitraries.integers().between(0, 2047))
                .as(LifecycleOp.Send::new)),
        Tuple.of(4, index.map(LifecycleOp.ClosePair::new)),
        Tuple.of(5, install),
        Tuple.of(
            4, Combinators.combine(index, Arbitraries.of(true, false)).as(LifecycleOp.Remove::new)),
        Tuple.of(3, order),
        Tuple.of(4, Arbitraries.just(new LifecycleOp.Reinit())),
        Tuple.of(
            3,
            Combinators.combine(
                    Arbitraries.integers().between(0, 4),
                    Arbitraries.of(
                        Phase.LOAD,
                        Phase.STARTUP,
                        Phase.OPEN,
                        Phase.SEND,
                        Phase.CLEANUP,
                        Phase.DRAIN,
                        Phase.UNLOAD))
                .as(LifecycleOp.Fail::new)),
        Tuple.of(4, Arbitraries.just(new LifecycleOp.Heal())));
  }
}
