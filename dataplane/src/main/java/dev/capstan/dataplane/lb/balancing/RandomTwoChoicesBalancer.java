package dev.capstan.dataplane.lb.balancing;

import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Algorithm RandomTwoChoices: two distinct healthy servers drawn at random in proportion to
 * their weights, and the better of the two by least connections or least time. The first drawn
 * wins a tie, so under equal load each server is picked exactly in proportion to its weight.
 */
final class RandomTwoChoicesBalancer implements Balancer {

  /** How two servers are compared; the better one is negative. */
  interface Comparison {
    int compare(ServerLoad first, ServerLoad second, List<ServerLoad> healthy);
  }

  private final RandomGenerator random;
  private final Comparison comparison;

  /**
   * @param random shared by the calling threads, so it must be safe for them (in production
   *     {@code ThreadLocalRandom.current()}, whose state is per thread)
   */
  RandomTwoChoicesBalancer(RandomGenerator random, Comparison comparison) {
    this.random = random;
    this.comparison = comparison;
  }

  static RandomTwoChoicesBalancer byLeastConnections(RandomGenerator random) {
    return new RandomTwoChoicesBalancer(random, (a, b, pool) -> LeastConnectionsBalancer.compare(
        a.active(), a.server().weight(), b.active(), b.server().weight()));
  }

  static RandomTwoChoicesBalancer byLeastTime(RandomGenerator random, LongSupplier nanoClock) {
    return new RandomTwoChoicesBalancer(random, (a, b, pool) -> {
      // A server without responses is expected at the pool's average, so all are needed.
      double[] expected =
          LeastTimeBalancer.expectedResponseTimes(pool, nanoClock.getAsLong());
      return Double.compare(
          LeastTimeBalancer.score(expected[pool.indexOf(a)], a),
          LeastTimeBalancer.score(expected[pool.indexOf(b)], b));
    });
  }

  @Override
  public Optional<ServerLoad> pick(Request request, List<ServerLoad> healthy) {
    if (healthy.size() <= 1) {
      return healthy.stream().findFirst();
    }
    long total = 0;
    for (ServerLoad s : healthy) {
      total += s.server().weight();
    }
    int first = draw(healthy, random.nextLong(total), -1);
    int second = draw(healthy, random.nextLong(total - healthy.get(first).server().weight()), first);
    ServerLoad a = healthy.get(first);
    ServerLoad b = healthy.get(second);
    return Optional.of(comparison.compare(a, b, healthy) <= 0 ? a : b);
  }

  /** The server whose slice of the weights, leaving out {@code skip}, contains {@code point}. */
  private static int draw(List<ServerLoad> servers, long point, int skip) {
    for (int i = 0; i < servers.size(); i++) {
      if (i == skip) {
        continue;
      }
      point -= servers.get(i).server().weight();
      if (point < 0) {
        return i;
      }
    }
    throw new IllegalStateException("drawn past the total weight");
  }
}
