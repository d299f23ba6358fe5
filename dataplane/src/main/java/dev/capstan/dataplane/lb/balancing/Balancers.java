package dev.capstan.dataplane.lb.balancing;

import dev.capstan.api.config.BalancerConfig;
import dev.capstan.api.lb.LoadBalancerSpec.Algorithm;
import dev.capstan.api.lb.TwoChoices;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Makes the balancer a configuration asks for. The configuration's {@code leastTimeBasis} is not
 * read here: it says what the proxy times (to the first or the last byte) when it calls
 * {@link ServerLoad#recordResponseTime}, and the {@code hashKey} what it puts in
 * {@link Request#hashKey}.
 */
public final class Balancers {

  private Balancers() {}

  /**
   * @param nanoClock monotonic nanoseconds, the clock the proxy passes to
   *     {@link ServerLoad#recordResponseTime} ({@code System::nanoTime} in production)
   * @param random safe for the calling threads ({@code ThreadLocalRandom.current()} in production)
   * @throws IllegalArgumentException when the configuration has no algorithm, or
   *     RandomTwoChoices without its basis
   */
  public static Balancer of(BalancerConfig config, LongSupplier nanoClock, RandomGenerator random) {
    if (config.algorithm() == null) {
      throw new IllegalArgumentException("algorithm is missing from " + BalancerConfig.FILE);
    }
    return of(config.algorithm(), config.twoChoicesBasis(), nanoClock, random);
  }

  /** The same, from the algorithm and, for RandomTwoChoices only, its basis. */
  public static Balancer of(Algorithm algorithm, TwoChoices.Basis twoChoicesBasis,
      LongSupplier nanoClock, RandomGenerator random) {
    return switch (algorithm) {
      case RoundRobin -> new RoundRobinBalancer();
      case LeastConnections -> new LeastConnectionsBalancer();
      case LeastTime -> new LeastTimeBalancer(nanoClock);
      case Hash -> HashBalancer.onHashKey();
      case IPHash -> HashBalancer.onClientAddress();
      case RandomTwoChoices -> {
        if (twoChoicesBasis == null) {
          throw new IllegalArgumentException(
              "twoChoicesBasis is missing from " + BalancerConfig.FILE + " for RandomTwoChoices");
        }
        yield switch (twoChoicesBasis) {
          case LeastConnections -> RandomTwoChoicesBalancer.byLeastConnections(random);
          case LeastTime -> RandomTwoChoicesBalancer.byLeastTime(random, nanoClock);
        };
      }
    };
  }
}
