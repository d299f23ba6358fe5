package dev.capstan.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void defaultsWatchAllNamespacesWithLeaderElection() {
    var c = OperatorConfig.fromEnvironment(Map.of("HOSTNAME", "op-1"));
    assertThat(c.watchesAllNamespaces()).isTrue();
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.leaderElection()).isTrue();
    assertThat(c.identity()).isEqualTo("op-1");
    assertThat(c.leaseName()).isEqualTo("capstan-operator");
  }

  @Test
  void readsNamespacesPortAndLease() {
    var c = OperatorConfig.fromEnvironment(Map.of(
        "CAPSTAN_WATCH_NAMESPACES", " team-a, team-b ,,",
        "CAPSTAN_HTTP_PORT", "9090",
        "CAPSTAN_LEADER_ELECTION", "false",
        "POD_NAMESPACE", "capstan-system",
        "POD_NAME", "capstan-operator-abc",
        "CAPSTAN_DATAPLANE_IMAGE", "example/dp:1"));
    assertThat(c.watchNamespaces()).containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(c.httpPort()).isEqualTo(9090);
    assertThat(c.leaderElection()).isFalse();
    assertThat(c.leaseNamespace()).isEqualTo("capstan-system");
    assertThat(c.identity()).isEqualTo("capstan-operator-abc");
    assertThat(c.controllerSettings().dataplaneImage()).isEqualTo("example/dp:1");
  }

  @Test
  void badValuesAreNamedInTheMessage() {
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("CAPSTAN_HTTP_PORT", "http")))
        .hasMessage("CAPSTAN_HTTP_PORT: 'http' is not a port number (0-65535)");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("CAPSTAN_WATCH_NAMESPACES", "Team_A")))
        .hasMessageContaining("'Team_A' is not a namespace name");
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("CAPSTAN_LEADER_ELECTION", "maybe")))
        .hasMessage("CAPSTAN_LEADER_ELECTION: 'maybe' is neither true nor false");
  }
}
