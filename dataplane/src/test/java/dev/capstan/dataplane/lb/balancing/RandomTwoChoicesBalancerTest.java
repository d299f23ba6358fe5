package dev.capstan.dataplane.lb.balancing;

import static dev.capstan.dataplane.lb.balancing.TestPools.counts;
import static dev.capstan.dataplane.lb.balancing.TestPools.equal;
import static dev.capstan.dataplane.lb.balancing.TestPools.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Seeded simulations of 100k picks against the analytic probabilities, within 1%. */
class RandomTwoChoicesBalancerTest {

  private static final Request ANY = new Request(null, null);
  private static final int PICKS = 100_000;
  private static final long MS = 1_000_000L;

  private static void load(ServerLoad server, int active) {
    for (int i = 0; i < active; i++) {
      server.begin();
    }
  }

  /** The pair is two distinct servers, and the first of it is drawn in proportion to weight. */
  @Test
  void drawsTwoDistinctServersWeighted() {
    List<ServerLoad> pool = weighted(1, 2, 3, 4);
    long[] firsts = new long[pool.size()];
    long[] seconds = new long[pool.size()];
    Balancer p2c = new RandomTwoChoicesBalancer(new SplittableRandom(1), (a, b, healthy) -> {
      assertThat(a).isNotSameAs(b);
      firsts[healthy.indexOf(a)]++;
      seconds[healthy.indexOf(b)]++;
      return 0;
    });

    counts(p2c, pool, PICKS, ANY);

    for (int i = 0; i < pool.size(); i++) {
      assertThat(firsts[i] / (double) PICKS).isCloseTo((i + 1) / 10.0, within(0.01));
    }
    // P(second = a) = sum over the first j != a of w_j/W * w_a/(W - w_j) = 0.1345
    double secondIsLightest = 0.2 * 1 / 8 + 0.3 * 1 / 7 + 0.4 * 1 / 6;
    assertThat(seconds[0] / (double) PICKS).isCloseTo(secondIsLightest, within(0.01));
  }

  @Test
  void underEqualLoadPicksFollowTheWeights() {
    List<ServerLoad> pool = weighted(1, 2, 3);

    long[] counts = counts(
        RandomTwoChoicesBalancer.byLeastConnections(new SplittableRandom(2)), pool, PICKS, ANY);

    for (int i = 0; i < pool.size(); i++) {
      assertThat(counts[i] / (double) PICKS).isCloseTo((i + 1) / 6.0, within(0.01));
    }
  }

  /**
   * Server a is the most loaded: every pair it is drawn into has a better server, so it is never
   * picked. The others share as they are drawn: b is picked unless paired with the less loaded
   * c or d, which each win every pair they are in: P(b) = P({a, b}) = 1/6, c and d 5/12 each.
   */
  @Test
  void theLessLoadedOfThePairWins() {
    List<ServerLoad> pool = equal(4);
    load(pool.get(0), 5);
    load(pool.get(1), 2);

    long[] counts = counts(
        RandomTwoChoicesBalancer.byLeastConnections(new SplittableRandom(3)), pool, PICKS, ANY);

    assertThat(counts[0]).isZero();
    assertThat(counts[1] / (double) PICKS).isCloseTo(1 / 6.0, within(0.01));
    assertThat(counts[2] / (double) PICKS).isCloseTo(5 / 12.0, within(0.01));
    assertThat(counts[3] / (double) PICKS).isCloseTo(5 / 12.0, within(0.01));
  }

  @Test
  void loadIsRelativeToWeight() {
    List<ServerLoad> pool = weighted(4, 1);
    load(pool.get(0), 3); // 3/4 < 1/1
    load(pool.get(1), 1);

    long[] counts = counts(
        RandomTwoChoicesBalancer.byLeastConnections(new SplittableRandom(4)), pool, 1000, ANY);

    assertThat(counts).containsExactly(1000, 0);
  }

  @Test
  void byLeastTimeTheSlowServerLosesEveryPair() {
    long now = 0;
    List<ServerLoad> pool = equal(3);
    pool.get(0).recordResponseTime(100 * MS, now);
    pool.get(1).recordResponseTime(10 * MS, now);
    pool.get(2).recordResponseTime(20 * MS, now);

    long[] counts = counts(
        RandomTwoChoicesBalancer.byLeastTime(new SplittableRandom(5), () -> now), pool, PICKS, ANY);

    // b wins both its pairs, c only {a, c}
    assertThat(counts[0]).isZero();
    assertThat(counts[1] / (double) PICKS).isCloseTo(2 / 3.0, within(0.01));
    assertThat(counts[2] / (double) PICKS).isCloseTo(1 / 3.0, within(0.01));
  }

  @Test
  void oneHealthyServerIsTheOnePicked() {
    List<ServerLoad> pool = equal(1);
    load(pool.get(0), 100);

    assertThat(RandomTwoChoicesBalancer.byLeastConnections(new SplittableRandom(6)).pick(ANY, pool))
        .containsSame(pool.get(0));
  }

  @Test
  void noHealthyServerIsNoPick() {
    assertThat(RandomTwoChoicesBalancer.byLeastConnections(new SplittableRandom(7))
        .pick(ANY, List.of())).isEmpty();
  }
}
