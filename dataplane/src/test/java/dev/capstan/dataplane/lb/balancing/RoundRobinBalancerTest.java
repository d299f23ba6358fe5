package dev.capstan.dataplane.lb.balancing;

import static dev.capstan.dataplane.lb.balancing.TestPools.counts;
import static dev.capstan.dataplane.lb.balancing.TestPools.names;
import static dev.capstan.dataplane.lb.balancing.TestPools.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoundRobinBalancerTest {

  private static final Request ANY = new Request(null, null);

  private static String sequence(List<ServerLoad> pool, int picks) {
    Balancer rr = new RoundRobinBalancer();
    List<ServerLoad> picked = new ArrayList<>();
    for (int i = 0; i < picks; i++) {
      picked.add(rr.pick(ANY, pool).orElseThrow());
    }
    return names(pool, picked);
  }

  /** nginx's documented order for weights 5, 1, 1 (ngx_http_upstream_round_robin.c). */
  @Test
  void weights511GoInNginxOrder() {
    assertThat(sequence(weighted(5, 1, 1), 14)).isEqualTo("aabacaa" + "aabacaa");
  }

  @ParameterizedTest
  @CsvSource({"1 1 1, abcabc", "2 1, abaaba", "1 2 3, cbacbc", "3 1, aabaaaba"})
  void sequences(String weights, String expected) {
    int[] w = Arrays.stream(weights.split(" ")).mapToInt(Integer::parseInt).toArray();

    assertThat(sequence(weighted(w), expected.length())).isEqualTo(expected);
  }

  @Test
  void eachPeriodGivesEveryServerExactlyItsWeight() {
    List<ServerLoad> pool = weighted(1, 2, 3);

    long[] counts = counts(new RoundRobinBalancer(), pool, 120_000, ANY);

    assertThat(counts).containsExactly(20_000, 40_000, 60_000);
  }

  /**
   * No bursts: after any number n of picks, every server has had its share n*w/W to within one
   * pick. Plain weighted round robin (a a a a a b c) is 1.43 picks ahead for {5, 1, 1}.
   */
  @Test
  void noServerIsEverAPickAheadOfItsShare() {
    SplittableRandom random = new SplittableRandom(42);
    for (int trial = 0; trial < 200; trial++) {
      int[] weights = random.ints(random.nextInt(2, 9), 1, 21).toArray();
      int total = Arrays.stream(weights).sum();
      List<ServerLoad> pool = weighted(weights);
      Balancer rr = new RoundRobinBalancer();
      long[] counts = new long[weights.length];
      for (int n = 1; n <= 2 * total; n++) {
        counts[pool.indexOf(rr.pick(ANY, pool).orElseThrow())]++;
        for (int i = 0; i < weights.length; i++) {
          double share = (double) n * weights[i] / total;
          assertThat(Math.abs(counts[i] - share))
              .as("weights %s after %d picks, server %d", Arrays.toString(weights), n, i)
              .isLessThan(1.0);
        }
      }
    }
  }

  @Test
  void onlyHealthyServersArePickedAndAReturningServerGetsItsTurn() {
    List<ServerLoad> all = weighted(1, 1, 1);
    List<ServerLoad> withoutB = List.of(all.get(0), all.get(2));
    Balancer rr = new RoundRobinBalancer();

    List<ServerLoad> picked = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      picked.add(rr.pick(ANY, withoutB).orElseThrow());
    }
    for (int i = 0; i < 3; i++) {
      picked.add(rr.pick(ANY, all).orElseThrow());
    }

    assertThat(names(all, picked)).isEqualTo("acac" + "abc");
  }

  @Test
  void noHealthyServerIsNoPick() {
    assertThat(new RoundRobinBalancer().pick(ANY, List.of())).isEmpty();
  }
}
