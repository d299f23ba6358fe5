package dev.capstan.dataplane.lb.balancing;

import static dev.capstan.dataplane.lb.balancing.TestPools.equal;
import static dev.capstan.dataplane.lb.balancing.TestPools.names;
import static dev.capstan.dataplane.lb.balancing.TestPools.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastTimeBalancerTest {

  private static final Request ANY = new Request(null, null);
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1000 * MS;

  /** The test's clock, in nanoseconds. */
  private long now;
  private final Balancer leastTime = new LeastTimeBalancer(() -> now);

  private static void load(ServerLoad server, int active) {
    for (int i = 0; i < active; i++) {
      server.begin();
    }
  }

  @Test
  void beforeAnyResponseItIsLeastConnectionsWithTiesTakingTurns() {
    List<ServerLoad> pool = equal(3);
    load(pool.get(0), 1);

    List<ServerLoad> picked = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      picked.add(leastTime.pick(ANY, pool).orElseThrow());
    }

    assertThat(names(pool, picked)).isEqualTo("bcbc");
  }

  @Test
  void prefersTheFasterServer() {
    List<ServerLoad> pool = equal(2);
    pool.get(0).recordResponseTime(100 * MS, now);
    pool.get(1).recordResponseTime(10 * MS, now);

    assertThat(leastTime.pick(ANY, pool)).containsSame(pool.get(1));
  }

  /** 10 ms × (9 + 1) = 100 ms ties the idle 100 ms server; one more and the slow one wins. */
  @Test
  void loadOnTheFastServerSendsTrafficToTheSlowOne() {
    List<ServerLoad> pool = equal(2);
    pool.get(0).recordResponseTime(100 * MS, now);
    pool.get(1).recordResponseTime(10 * MS, now);
    load(pool.get(1), 8);
    assertThat(leastTime.pick(ANY, pool)).containsSame(pool.get(1));

    load(pool.get(1), 2);
    assertThat(leastTime.pick(ANY, pool)).containsSame(pool.get(0));
  }

  /** 30 ms × 2 / 3 = 20 ms beats 10 ms × 3 / 1 = 30 ms. */
  @Test
  void theScoreIsRelativeToWeight() {
    List<ServerLoad> pool = weighted(3, 1);
    pool.get(0).recordResponseTime(30 * MS, now);
    pool.get(1).recordResponseTime(10 * MS, now);
    load(pool.get(0), 1);
    load(pool.get(1), 2);

    assertThat(leastTime.pick(ANY, pool)).containsSame(pool.get(0));
  }

  @Test
  void aNewServerIsExpectedAtTheAverageOfTheOthers() {
    List<ServerLoad> pool = equal(3);
    pool.get(0).recordResponseTime(10 * MS, now);
    pool.get(1).recordResponseTime(30 * MS, now);

    double[] expected = LeastTimeBalancer.expectedResponseTimes(pool, now);

    assertThat(expected[2]).isCloseTo(20 * MS, within(1e-3));
    // 10 ms × 3 and 30 ms × 1 both lose to the new server's 20 ms × 1
    load(pool.get(0), 2);
    assertThat(leastTime.pick(ANY, pool)).containsSame(pool.get(2));
  }

  /**
   * One request at a time, a millisecond apart, each answered at once: the fast server takes
   * everything until the slow one's estimate has decayed below 10 ms, after log2(10) = 3.32
   * half-lives, 33.2 s. If the slow one answers in 10 ms then, it shares the traffic at once.
   */
  @Test
  void anIdleSlowServerIsProbedAgainAndRecovers() {
    List<ServerLoad> pool = equal(2);
    ServerLoad slow = pool.get(0);
    ServerLoad fast = pool.get(1);
    slow.recordResponseTime(100 * MS, now);
    fast.recordResponseTime(10 * MS, now);

    long probedAt = -1;
    while (probedAt < 0 && now < 60 * SECOND) {
      now += MS;
      ServerLoad picked = leastTime.pick(ANY, pool).orElseThrow();
      if (picked == slow) {
        probedAt = now;
      }
      picked.recordResponseTime(10 * MS, now); // the slow server has recovered
    }
    assertThat(probedAt).isBetween(33 * SECOND, 34 * SECOND);

    int slowPicks = 0;
    for (int i = 0; i < 1000; i++) {
      now += MS;
      ServerLoad picked = leastTime.pick(ANY, pool).orElseThrow();
      slowPicks += picked == slow ? 1 : 0;
      picked.recordResponseTime(10 * MS, now);
    }
    assertThat(slowPicks).isBetween(450, 550);
  }

  /**
   * A server that stays slow costs one request every 15 s (its estimate after a probe, 28 ms,
   * takes log2(2.8) half-lives to fall under 10 ms), not a share of the traffic.
   */
  @Test
  void aServerThatStaysSlowIsOnlyProbed() {
    List<ServerLoad> pool = equal(2);
    ServerLoad slow = pool.get(0);
    slow.recordResponseTime(100 * MS, now);
    pool.get(1).recordResponseTime(10 * MS, now);

    int slowPicks = 0;
    for (int i = 0; i < 300_000; i++) { // 5 minutes, a request per millisecond
      now += MS;
      ServerLoad picked = leastTime.pick(ANY, pool).orElseThrow();
      slowPicks += picked == slow ? 1 : 0;
      picked.recordResponseTime(picked == slow ? 100 * MS : 10 * MS, now);
    }

    assertThat(slowPicks).isBetween(17, 19);
  }

  @Test
  void noHealthyServerIsNoPick() {
    assertThat(leastTime.pick(ANY, List.of())).isEmpty();
  }
}
