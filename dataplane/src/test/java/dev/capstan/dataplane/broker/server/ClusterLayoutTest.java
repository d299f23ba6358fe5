package dev.capstan.dataplane.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterLayoutTest {

  private static ClusterLayout threeBrokers(int self) {
    return new ClusterLayout(self, List.of(new ClusterLayout.HostPort("b-0", 9092),
        new ClusterLayout.HostPort("b-1", 9092), new ClusterLayout.HostPort("b-2", 9092)), "c");
  }

  @Test
  void everyBrokerAgreesOnLeadersAndPartitionsSpreadEvenly() {
    Map<Integer, Integer> ledCount = new HashMap<>();
    for (int p = 0; p < 30; p++) {
      int leader = threeBrokers(0).leaderOf("orders", p);
      for (int self = 0; self < 3; self++) {
        assertThat(threeBrokers(self).leaderOf("orders", p)).isEqualTo(leader);
        assertThat(threeBrokers(self).leads("orders", p)).isEqualTo(self == leader);
      }
      ledCount.merge(leader, 1, Integer::sum);
      // consecutive partitions go to consecutive brokers
      assertThat(threeBrokers(0).leaderOf("orders", p + 1)).isEqualTo((leader + 1) % 3);
    }
    assertThat(ledCount).containsOnly(Map.entry(0, 10), Map.entry(1, 10), Map.entry(2, 10));
  }

  @Test
  void parsesListenersAndRejectsNonsense() {
    assertThat(ClusterLayout.HostPort.parse("broker-1.brokers.ns.svc:9092"))
        .isEqualTo(new ClusterLayout.HostPort("broker-1.brokers.ns.svc", 9092));
    assertThatThrownBy(() -> ClusterLayout.HostPort.parse("nohost")).hasMessageContaining("not host:port");
    assertThatThrownBy(() -> ClusterLayout.HostPort.parse("h:x")).hasMessageContaining("numeric port");
    assertThatThrownBy(() -> threeBrokers(3)).hasMessageContaining("outside 0..2");
  }
}
