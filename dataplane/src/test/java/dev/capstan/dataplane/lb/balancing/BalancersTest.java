package dev.capstan.dataplane.lb.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.api.config.BalancerConfig;
import dev.capstan.api.lb.LoadBalancerSpec.Algorithm;
import dev.capstan.api.lb.LoadBalancerSpec.Mode;
import dev.capstan.api.lb.TwoChoices;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BalancersTest {

  private static BalancerConfig config(Algorithm algorithm, TwoChoices.Basis basis) {
    return new BalancerConfig(Mode.HTTP, algorithm, null, null, basis, null, List.of(), null, List.of(),
        List.of(), null, new BalancerConfig.PassiveHealthCheck(0, "10s"), null, 9901);
  }

  @ParameterizedTest
  @CsvSource({
      "RoundRobin, , RoundRobinBalancer",
      "LeastConnections, , LeastConnectionsBalancer",
      "LeastTime, , LeastTimeBalancer",
      "Hash, , HashBalancer",
      "IPHash, , HashBalancer",
      "RandomTwoChoices, LeastConnections, RandomTwoChoicesBalancer",
      "RandomTwoChoices, LeastTime, RandomTwoChoicesBalancer",
  })
  void eachAlgorithmHasItsBalancer(Algorithm algorithm, TwoChoices.Basis basis, String type) {
    Balancer balancer = Balancers.of(config(algorithm, basis), () -> 0, new SplittableRandom(1));

    assertThat(balancer.getClass().getSimpleName()).isEqualTo(type);
  }

  /** Hash and IPHash differ in what they hash: only IPHash pins a client without a key. */
  @Test
  void ipHashHashesTheClientAndHashTheKey() {
    List<ServerLoad> pool = TestPools.equal(8);
    Balancer hash = Balancers.of(config(Algorithm.Hash, null), () -> 0, new SplittableRandom(1));
    Balancer ipHash = Balancers.of(config(Algorithm.IPHash, null), () -> 0, new SplittableRandom(1));
    Request client = new Request(null, new byte[] {10, 1, 2, 3});

    assertThat(ipHash.pick(client, pool)).isEqualTo(ipHash.pick(client, pool));
    assertThat(hash.pick(client, pool)).isNotEqualTo(hash.pick(client, pool)); // round robin
  }

  @Test
  void randomTwoChoicesNeedsItsBasis() {
    assertThatThrownBy(() -> Balancers.of(
            config(Algorithm.RandomTwoChoices, null), () -> 0, new SplittableRandom(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twoChoicesBasis");
  }

  @Test
  void anAlgorithmIsRequired() {
    assertThatThrownBy(() -> Balancers.of(config(null, null), () -> 0, new SplittableRandom(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("algorithm");
  }
}
