package dev.capstan.dataplane.lb.balancing;

import static dev.capstan.dataplane.lb.balancing.TestPools.equal;
import static dev.capstan.dataplane.lb.balancing.TestPools.names;
import static dev.capstan.dataplane.lb.balancing.TestPools.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LeastConnectionsBalancerTest {

  private static final Request ANY = new Request(null, null);

  private static void load(ServerLoad server, int active) {
    for (int i = 0; i < active; i++) {
      server.begin();
    }
  }

  @Test
  void picksTheServerWithFewestActive() {
    List<ServerLoad> pool = equal(3);
    load(pool.get(0), 2);
    load(pool.get(1), 1);
    load(pool.get(2), 3);

    assertThat(new LeastConnectionsBalancer().pick(ANY, pool)).contains(pool.get(1));
  }

  /** Idle, tied servers take turns instead of the first in the list taking everything. */
  @Test
  void tiedServersTakeTurns() {
    List<ServerLoad> pool = equal(3);
    Balancer lc = new LeastConnectionsBalancer();

    List<ServerLoad> picked = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picked.add(lc.pick(ANY, pool).orElseThrow());
    }

    assertThat(names(pool, picked)).isEqualTo("abcabc");
  }

  @Test
  void onlyTheTiedTakeTurns() {
    List<ServerLoad> pool = equal(3);
    load(pool.get(0), 1);
    Balancer lc = new LeastConnectionsBalancer();

    List<ServerLoad> picked = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      picked.add(lc.pick(ANY, pool).orElseThrow());
    }

    assertThat(names(pool, picked)).isEqualTo("bcbc");
  }

  @ParameterizedTest(name = "{0}/{1} vs {2}/{3}")
  @CsvSource({
      // active and weight of a, then of b; the sign of a's load minus b's
      "2, 3, 1, 1, -1", // 0.67 < 1
      "3, 3, 1, 2, 1", // 1 > 0.5
      "2, 4, 1, 2, 0",
      "1000000001, 1000, 1000000000, 1000, 1", // equal as 32-bit floats
      "2147483647, 1000, 2147483646, 999, -1", // no overflow
  })
  void loadIsRelativeToWeightAndExact(int activeA, int weightA, int activeB, int weightB,
      int expectedSign) {
    assertThat(Integer.signum(LeastConnectionsBalancer.compare(activeA, weightA, activeB, weightB)))
        .isEqualTo(expectedSign);
  }

  @Test
  void aHeavierServerTakesMoreActive() {
    List<ServerLoad> pool = weighted(3, 1);
    load(pool.get(0), 2);
    load(pool.get(1), 1);

    assertThat(new LeastConnectionsBalancer().pick(ANY, pool)).containsSame(pool.get(0));
  }

  /** Connections that stay open spread exactly in proportion to the weights. */
  @Test
  void heldConnectionsFollowTheWeights() {
    List<ServerLoad> pool = weighted(3, 1, 2);
    Balancer lc = new LeastConnectionsBalancer();

    for (int i = 0; i < 600; i++) {
      lc.pick(ANY, pool).orElseThrow().begin();
    }

    assertThat(pool).extracting(ServerLoad::active).containsExactly(300, 100, 200);
  }

  /**
   * Seeded simulation: connections arrive, each lasts a random number of ticks; at every pick
   * the picked server was among the least loaded relative to weight.
   */
  @Test
  void everyPickIsAmongTheLeastLoaded() {
    List<ServerLoad> pool = weighted(1, 2, 3, 4);
    Balancer lc = new LeastConnectionsBalancer();
    SplittableRandom random = new SplittableRandom(7);
    List<long[]> open = new ArrayList<>(); // {server index, ends at}
    long[] picks = new long[pool.size()];

    for (long tick = 0; tick < 100_000; tick++) {
      long now = tick;
      open.removeIf(c -> {
        boolean ended = c[1] <= now;
        if (ended) {
          pool.get((int) c[0]).end();
        }
        return ended;
      });
      ServerLoad picked = lc.pick(ANY, pool).orElseThrow();
      for (ServerLoad other : pool) {
        assertThat(LeastConnectionsBalancer.compare(picked.active(), picked.server().weight(),
            other.active(), other.server().weight())).isLessThanOrEqualTo(0);
      }
      picked.begin();
      picks[pool.indexOf(picked)]++;
      open.add(new long[] {pool.indexOf(picked), tick + random.nextInt(1, 400)});
    }

    // Equal service times and about 200 open: the picks follow the weights, 1:2:3:4 of 100k,
    // within 1% (with few open, integer loads favour the light servers).
    for (int i = 0; i < pool.size(); i++) {
      assertThat(picks[i] / 100_000.0).isCloseTo((i + 1) / 10.0,
          within(0.01));
    }
  }

  @Test
  void noHealthyServerIsNoPick() {
    assertThat(new LeastConnectionsBalancer().pick(ANY, List.of())).isEmpty();
  }
}
