package dev.capstan.dataplane.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.api.broker.MessageBrokerSpec.Durability;
import dev.capstan.api.config.BrokerConfig;
import dev.capstan.dataplane.broker.server.BrokerServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrokerMainTest {

  private static final BrokerConfig CONFIG = new BrokerConfig(9092, 9901, 3, "events", "{pod}.events-brokers.ns.svc:9092",
      3, "7d", 1_000_000L, null);

  @Test
  void aPodKnowsItsIdAndEveryPeerFromItsName() {
    BrokerServer.Options options = BrokerMain.options(CONFIG, Path.of("/data"), "events-2");
    assertThat(options.brokerId()).isEqualTo(2);
    assertThat(options.advertised()).containsExactly("events-0.events-brokers.ns.svc:9092",
        "events-1.events-brokers.ns.svc:9092", "events-2.events-brokers.ns.svc:9092");
    assertThat(options.bindHost()).isEqualTo("0.0.0.0");
    assertThat(options.retentionMs()).isEqualTo(7L * 24 * 3600 * 1000);
    assertThat(options.retentionBytes()).isEqualTo(1_000_000L);
    assertThat(options.defaultPartitions()).isEqualTo(3);
  }

  @Test
  void acksAllWaitsForAnFsyncUnlessTheConfigSaysPageCache() {
    assertThat(BrokerMain.options(CONFIG, Path.of("/data"), null).syncOnAcksAll())
        .as("a configuration rendered before the setting existed").isTrue();
    for (Durability d : Durability.values()) {
      BrokerConfig config = new BrokerConfig(9092, 9901, 1, "events", "{pod}:9092", 1, "7d", null, d);
      assertThat(BrokerMain.options(config, Path.of("/data"), null).syncOnAcksAll()).as(d.name())
          .isEqualTo(d == Durability.Fsync);
    }
  }

  @Test
  void withoutAPodNameItIsALocalSingleBroker() {
    BrokerServer.Options options = BrokerMain.options(CONFIG, Path.of("/data"), null);
    assertThat(options.brokerId()).isZero();
    assertThat(options.advertised()).isEmpty();
    assertThat(options.port()).isEqualTo(9092);
  }

  @Test
  void aPodNameThatDoesNotFitIsRefusedWithTheReason() {
    for (List<String> c : List.of(List.of("other-1", "is not events-<ordinal>"), List.of("events-x", "ordinal"),
        List.of("events-3", "brokers is 3"))) {
      assertThatThrownBy(() -> BrokerMain.options(CONFIG, Path.of("/data"), c.get(0))).hasMessageContaining(c.get(1));
    }
  }
}
